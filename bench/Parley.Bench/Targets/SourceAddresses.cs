using System.Net;

namespace Parley.Bench.Targets;

/// <summary>
/// Spreads client sockets over 127.0.0.1, 127.0.0.2, …: each source address has its own ephemeral ports, and all of
/// 127.0.0.0/8 is loopback on Linux, so 10,000+ connections fit on one machine without touching any other network.
/// </summary>
public sealed class SourceAddresses
{
    public const int DefaultPerAddress = 5000;

    public SourceAddresses(int perAddress = DefaultPerAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perAddress);
        PerAddress = perAddress;
    }

    public int PerAddress { get; }

    /// <summary>127.0.0.(1 + index / PerAddress), wrapping within 127.0.0.1–127.0.255.254.</summary>
    public IPAddress For(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var slot = (index / PerAddress) % 65_534;
        var host = slot + 1;
        return new IPAddress([127, 0, (byte)(host >> 8), (byte)(host & 0xFF)]);
    }

    /// <summary>How many distinct addresses <paramref name="connections"/> connections use.</summary>
    public int AddressesFor(int connections) => connections <= 0 ? 0 : Math.Min(65_534, ((connections - 1) / PerAddress) + 1);
}
