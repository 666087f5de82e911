using System.Net.Security;
using System.Runtime.Versioning;

namespace Parley.Server.Security;

/// <summary>
/// The cipher suites the server offers: TLS 1.3's (all AEAD) and TLS 1.2's ECDHE suites with AES-GCM or
/// ChaCha20-Poly1305, for ECDSA and RSA certificates. Forward secrecy and AEAD only; no CBC, no static RSA.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class AeadCipherSuites
{
    public static readonly CipherSuitesPolicy Policy = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
}
