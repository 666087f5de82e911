using System.Collections.Frozen;
using System.Net.Security;

namespace Parley.Server.Security;

/// <summary>
/// The cipher suites Parley accepts: TLS 1.3's (all AEAD) and TLS 1.2's ECDHE suites with AES-GCM or
/// ChaCha20-Poly1305, for ECDSA and RSA certificates. Forward secrecy and AEAD only; no CBC, no static RSA.
/// </summary>
internal static class AeadCipherSuites
{
    private static readonly FrozenSet<TlsCipherSuite> Allowed = new[]
    {
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    }.ToFrozenSet();

    public static bool Allows(TlsCipherSuite suite) => Allowed.Contains(suite);
}
