using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Protocol.Crypto;

namespace Parley.Client.Tests.Support;

/// <summary>Self-signed ECDSA P-256 server certificates made in the test, like a Parley server's default one.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<RSA> SharedIdentity = new(() => RSA.Create(3072));

    /// <summary>One RSA identity key for every test server: generating 3072-bit keys is slow.</summary>
    public static RSA Identity => SharedIdentity.Value;

    public static X509Certificate2 CreateSelfSigned(string commonName = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // A PKCS#12 round trip gives SslStream a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    public static string FingerprintOf(X509Certificate2 certificate) => Fingerprint.Sha256(certificate.RawData);

    public static string RandomFingerprint() => Fingerprint.Format(RandomNumberGenerator.GetBytes(32));
}
