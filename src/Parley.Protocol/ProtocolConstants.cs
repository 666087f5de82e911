namespace Parley.Protocol;

/// <summary>Wire constants of protocol v1 (docs/protocol.md §1).</summary>
public static class ProtocolConstants
{
    /// <summary>The protocol version carried in <c>key_exchange</c>.</summary>
    public const int Version = 1;

    /// <summary>The TLS ALPN protocol id both sides must negotiate.</summary>
    public const string Alpn = "parley/1";

    /// <summary>Size of the big-endian length prefix in front of every frame.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>Default cap on a frame body (1 MiB).</summary>
    public const int DefaultMaxFrameBytes = 1024 * 1024;

    /// <summary>Default cap on a direct message's text, in UTF-8 bytes (64 KiB).</summary>
    public const int DefaultMaxTextBytes = 64 * 1024;

    /// <summary>Longest request id a client may choose.</summary>
    public const int MaxRequestIdLength = 64;

    /// <summary>Size of the random secret the client wraps with RSA-OAEP.</summary>
    public const int SessionSecretSize = 32;

    /// <summary>Smallest RSA identity key a client accepts.</summary>
    public const int MinimumRsaKeyBits = 3072;
}
