using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Crypto;
using Parley.Server.Configuration;

namespace Parley.Server.Security;

/// <summary>
/// The TLS certificate: the configured PEM or PFX, or else a self-signed ECDSA P-256 one created in the data
/// directory on first start (its handshakes cost less than RSA's). Its fingerprint is logged so users can pin it.
/// </summary>
internal static class TlsCertificateProvider
{
    public const string CertificateFile = "tls-cert.pem";
    public const string KeyFile = "tls-key.pem";

    public static X509Certificate2 Load(ParleyServerOptions options, ILogger logger)
    {
        var certificate = string.IsNullOrEmpty(options.CertificatePath)
            ? LoadOrCreateSelfSigned(options.FullDataDirectory, logger)
            : LoadConfigured(options);

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The TLS certificate '{options.CertificatePath}' has no private key; pass --cert-key.");
        }

        logger.LogInformation(
            "TLS certificate {Subject}, SHA-256 fingerprint {Fingerprint}, valid until {NotAfter:yyyy-MM-dd}",
            certificate.Subject, Fingerprint.Sha256(certificate.RawData), certificate.NotAfter);
        return certificate;
    }

    private static X509Certificate2 LoadConfigured(ParleyServerOptions options)
    {
        var path = options.CertificatePath!;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TLS certificate file '{path}' does not exist.", path);
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }

        var keyPath = string.IsNullOrEmpty(options.CertificateKeyPath) ? path : options.CertificateKeyPath;
        return string.IsNullOrEmpty(options.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
    }

    private static X509Certificate2 LoadOrCreateSelfSigned(string dataDirectory, ILogger logger)
    {
        var certPath = Path.Combine(dataDirectory, CertificateFile);
        var keyPath = Path.Combine(dataDirectory, KeyFile);
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var created = CreateSelfSigned(key, Environment.MachineName);
            SecretFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certPath, created.ExportCertificatePem());
            logger.LogInformation("Created a self-signed TLS certificate in {Path}", certPath);
        }

        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    /// <summary>A server certificate for localhost, the machine's name and the loopback addresses.</summary>
    public static X509Certificate2 CreateSelfSigned(ECDsa key, string hostName)
    {
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (!string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName(hostName);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));
    }
}
