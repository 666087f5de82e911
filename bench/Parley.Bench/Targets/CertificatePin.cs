using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Targets;

/// <summary>
/// The peers' TLS as the adapters check it: TLS 1.3 only, and the server's certificate must be exactly the one
/// pinned with <c>--fingerprint</c> (its SHA-256, <see cref="Fingerprint"/>). The pin replaces the chain check,
/// since the certificate is self-signed; a mismatch fails the handshake, never silently passes.
/// </summary>
internal sealed class CertificatePin
{
    public CertificatePin(string fingerprint)
    {
        if (!Fingerprint.TryNormalize(fingerprint, out var normalized))
        {
            throw new BenchTargetException($"--fingerprint '{fingerprint}' is not a SHA-256 fingerprint (32 bytes of hex, colons optional)");
        }

        Value = normalized;
    }

    public string Value { get; }

    public static SslProtocols Protocols => SslProtocols.Tls13;

    /// <summary>The TLS 1.3 suites Parley's server allows too (its AEAD policy), so every target negotiates from the same list.</summary>
    public static CipherSuitesPolicy? CipherSuites => OperatingSystem.IsWindows() ? null : new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ]);

    public bool Matches(X509Certificate? certificate) =>
        certificate is not null && Fingerprint.AreEqual(Fingerprint.Sha256(certificate.GetRawCertData()), Value);

    /// <summary>Client options for <see cref="SslStream"/>: the name <c>localhost</c> (the peers' XMPP domain and SAN), TLS 1.3, the pin.</summary>
    public SslClientAuthenticationOptions ClientOptions(string targetHost, IReadOnlyList<SslApplicationProtocol>? alpn = null) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = Protocols,
        CipherSuitesPolicy = CipherSuites,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = alpn is null ? null : [.. alpn],
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Matches(certificate),
    };
}
