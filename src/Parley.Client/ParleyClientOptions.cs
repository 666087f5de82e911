using System.Net;
using System.Threading.Channels;
using Parley.Protocol;
using Parley.Protocol.Crypto;

namespace Parley.Client;

/// <summary>
/// Immutable settings of one <see cref="ParleyConnection"/>. Start from <see cref="Default"/> and change what you need
/// with <c>with</c>: <c>ParleyClientOptions.Default with { Host = "chat.example", Trust = ServerTrust.Pin(fp) }</c>.
/// </summary>
public sealed record ParleyClientOptions
{
    /// <summary>The default port of a Parley server.</summary>
    public const int DefaultPort = 5001;

    /// <summary>localhost:5001, trusting only certificates that chain to the system's certificate authorities.</summary>
    public static ParleyClientOptions Default { get; } = new();

    /// <summary>Host name or IP address of the server; also the TLS server name (SNI) and the name checked in its certificate.</summary>
    public string Host { get; init; } = "localhost";

    /// <summary>TCP port of the server. Default 5001.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>How the server's certificate is verified. Default: system certificate authorities only.</summary>
    public ServerTrust Trust { get; init; } = ServerTrust.Default;

    /// <summary>Longest wait for the TCP connection (DNS included). Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for TLS and the key exchange, once TCP is up. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest wait for the reply to a request, unless the caller's token fires first. Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever (a load generator may prefer its own tokens).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest frame body accepted from the server; a longer one ends the connection. Default 1 MiB.</summary>
    public int MaxFrameBytes { get; init; } = ProtocolConstants.DefaultMaxFrameBytes;

    /// <summary>
    /// Source address to bind the client socket to, or null to let the system choose. A load generator can spread
    /// connections over 127.0.0.x to get past one source address's ephemeral ports.
    /// </summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Capacity of <see cref="ParleyConnection.Events"/>. Default 1024.</summary>
    public int EventQueueCapacity { get; init; } = 1024;

    /// <summary>
    /// What happens when <see cref="ParleyConnection.Events"/> is full. <see cref="BoundedChannelFullMode.Wait"/> (the
    /// default) loses nothing: the connection stops reading until there is room, so replies wait too and a server may
    /// end the connection as a slow consumer. Any other mode drops events (counted in
    /// <see cref="ParleyConnection.DroppedEvents"/>), which suits a client that never reads them.
    /// </summary>
    public BoundedChannelFullMode EventQueueFullMode { get; init; } = BoundedChannelFullMode.Wait;

    /// <summary>Messages that may wait to be written before senders wait for room. Default 1024.</summary>
    public int OutboundQueueCapacity { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> for a setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("A server host is required.", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 1 and 65535.");
        }

        ArgumentNullException.ThrowIfNull(Trust, nameof(Trust));
        Trust.Validate();
        ThrowIfNotPositive(ConnectTimeout, nameof(ConnectTimeout));
        ThrowIfNotPositive(HandshakeTimeout, nameof(HandshakeTimeout));
        if (RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            ThrowIfNotPositive(RequestTimeout, nameof(RequestTimeout));
        }

        if (MaxFrameBytes <= FrameSealer.TagSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, $"{nameof(MaxFrameBytes)} must exceed the {FrameSealer.TagSize}-byte tag.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(EventQueueCapacity, 1, nameof(EventQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutboundQueueCapacity, 1, nameof(OutboundQueueCapacity));
    }

    private static void ThrowIfNotPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
