using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Parley.Server.Sessions;

/// <summary>
/// Hands out IPv4 addresses from an inclusive range, lowest free first. One bit per address, so the default /16
/// range costs 8 KiB; a lock is enough because it is used once per login, not per message.
/// </summary>
public sealed class VirtualIpPool
{
    /// <summary>A /8 at most, so the bitset stays at 2 MiB.</summary>
    public const int MaxCapacity = 1 << 24;

    private readonly Lock _lock = new();
    private readonly uint _first;
    private readonly ulong[] _used;
    private int _lowestCandidateWord;
    private int _inUse;

    public VirtualIpPool(IPAddress first, IPAddress last)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(last);
        if (first.AddressFamily != AddressFamily.InterNetwork || last.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"The virtual IP range must be IPv4; got {first} to {last}.");
        }

        _first = ToUInt32(first);
        var end = ToUInt32(last);
        if (end < _first)
        {
            throw new ArgumentException($"The virtual IP range is reversed: first {first} is after last {last}.");
        }

        if (end - _first >= MaxCapacity)
        {
            throw new ArgumentException($"The virtual IP range {first} to {last} has more than {MaxCapacity} addresses (a /8).");
        }

        Capacity = (int)(end - _first) + 1;
        _used = new ulong[(Capacity + 63) / 64];
    }

    public int Capacity { get; }

    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    public bool TryAcquire([NotNullWhen(true)] out IPAddress? address)
    {
        lock (_lock)
        {
            // Words below _lowestCandidateWord are all taken, so the first free bit from there is the lowest free address.
            for (var word = _lowestCandidateWord; word < _used.Length; word++)
            {
                var free = ~_used[word];
                if (free == 0)
                {
                    continue;
                }

                var bit = BitOperations.TrailingZeroCount(free);
                var index = (word * 64) + bit;
                if (index >= Capacity)
                {
                    break;
                }

                _used[word] |= 1UL << bit;
                _lowestCandidateWord = word;
                _inUse++;
                address = ToAddress(_first + (uint)index);
                return true;
            }

            _lowestCandidateWord = _used.Length;
            address = null;
            return false;
        }
    }

    public void Release(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var offset = address.AddressFamily == AddressFamily.InterNetwork ? (long)ToUInt32(address) - _first : -1;
        if (offset < 0 || offset >= Capacity)
        {
            throw new InvalidOperationException($"Cannot release {address}: it is outside this pool's range.");
        }

        var index = (int)offset;
        var word = index / 64;
        var bit = 1UL << (index % 64);
        lock (_lock)
        {
            if ((_used[word] & bit) == 0)
            {
                throw new InvalidOperationException($"Cannot release {address}: it is not in use.");
            }

            _used[word] &= ~bit;
            _inUse--;
            _lowestCandidateWord = Math.Min(_lowestCandidateWord, word);
        }
    }

    private static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
