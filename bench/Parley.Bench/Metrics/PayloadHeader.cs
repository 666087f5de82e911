using System.Buffers.Binary;

namespace Parley.Bench.Metrics;

/// <summary>
/// The header every benchmark message starts with, as ASCII hex so it survives a JSON text field: 16 hex digits of
/// (sender index &lt;&lt; 40 | sequence), then 16 of the scheduled send time in <see cref="System.Diagnostics.Stopwatch"/>
/// ticks (sender and receiver share this process's clock). The rest of the message is ASCII padding up to --size.
/// </summary>
public static class PayloadHeader
{
    /// <summary>Header length in bytes (and characters): the smallest --size.</summary>
    public const int Length = 32;

    public const int MaxSender = (1 << 24) - 1;
    public const long MaxSequence = (1L << 40) - 1;

    private const byte Padding = (byte)'.';
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>A message buffer of <paramref name="size"/> bytes: header space, then padding.</summary>
    public static byte[] CreateBuffer(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, Length);
        var buffer = new byte[size];
        buffer.AsSpan().Fill(Padding);
        return buffer;
    }

    public static void Write(Span<byte> destination, int sender, long sequence, long scheduledTimestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        ArgumentOutOfRangeException.ThrowIfNegative(sender);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sender, MaxSender);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        Span<byte> raw = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(raw, ((ulong)sender << 40) | (ulong)sequence);
        BinaryPrimitives.WriteInt64BigEndian(raw[8..], scheduledTimestamp);
        for (var i = 0; i < raw.Length; i++)
        {
            destination[2 * i] = HexDigits[raw[i] >> 4];
            destination[(2 * i) + 1] = HexDigits[raw[i] & 0xF];
        }
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out int sender, out long sequence, out long scheduledTimestamp)
    {
        sender = 0;
        sequence = scheduledTimestamp = 0;
        if (payload.Length < Length)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[16];
        for (var i = 0; i < raw.Length; i++)
        {
            var high = Nibble(payload[2 * i]);
            var low = Nibble(payload[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            raw[i] = (byte)((high << 4) | low);
        }

        var first = BinaryPrimitives.ReadUInt64BigEndian(raw);
        sender = (int)(first >> 40);
        sequence = (long)(first & (ulong)MaxSequence);
        scheduledTimestamp = BinaryPrimitives.ReadInt64BigEndian(raw[8..]);
        return true;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
