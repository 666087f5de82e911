namespace Parley.Protocol.Crypto;

/// <summary>
/// How much one key may seal before the connection must end (docs/protocol.md §3.4). AES-GCM's
/// confidentiality bound is a function of blocks encrypted; 2^36 bytes per key keeps the adversary's
/// advantage far below 2^-57, the margin TLS 1.3 aims for (RFC 8446 §5.5).
/// </summary>
public static class SealingLimits
{
    public const long MaxBytesPerKey = 1L << 36;
}

/// <summary>Thrown when a key has sealed (or opened) as much as <see cref="SealingLimits"/> allows.</summary>
public sealed class SealingLimitReachedException : InvalidOperationException
{
    public SealingLimitReachedException()
        : base("This session key has reached its sealing limit; reconnect to get fresh keys.")
    {
    }
}
