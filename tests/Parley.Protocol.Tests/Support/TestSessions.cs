using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests.Support;

/// <summary>Session keys from a fixed secret and transcript, so sealing tests need no RSA.</summary>
internal static class TestSessions
{
    public static readonly byte[] Secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    public static readonly byte[] TranscriptHash = Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray();

    public static SessionKeys Keys() => SessionKeys.Derive(Secret, TranscriptHash);
}
