using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.Crypto;

namespace Parley.IntegrationTests;

public sealed class CertificateTests
{
    [Fact]
    public async Task FirstStart_CreatesSelfSignedEcdsaCertificate_AndReusesItOnRestart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "parley-cert-" + Guid.NewGuid().ToString("N"));
        string firstFingerprint;
        await using (var first = await TestServer.StartAsync(o => o.DataDirectory = directory))
        {
            firstFingerprint = first.Server.CertificateFingerprint;
            using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(directory, "tls-cert.pem")));
            Assert.Equal("1.2.840.10045.2.1", certificate.PublicKey.Oid.Value); // id-ecPublicKey
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "tls-key.pem")));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "identity-key.pem")));
            }
        }

        await using var second = await TestServer.StartAsync(o => o.DataDirectory = directory);
        Assert.Equal(firstFingerprint, second.Server.CertificateFingerprint);
    }

    [Fact]
    public async Task ConfiguredPemCertificate_IsTheOneServed()
    {
        var directory = Path.Combine(Path.GetTempPath(), "parley-pem-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory, "mine.pem");
        var keyPath = Path.Combine(directory, "mine.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        var expected = Fingerprint.Sha256(certificate.RawData);

        await using var server = await TestServer.StartAsync(o => (o.CertificatePath, o.CertificateKeyPath) = (certPath, keyPath));
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions with { Trust = ServerTrust.Pin(expected) });

        Assert.Equal(expected, server.Server.CertificateFingerprint);
        Assert.Equal(expected, connection.CertificateFingerprint);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task ConfiguredPfxCertificate_WithPassword_IsTheOneServed()
    {
        var directory = Path.Combine(Path.GetTempPath(), "parley-pfx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfxPath = Path.Combine(directory, "server.pfx");
        await File.WriteAllBytesAsync(pfxPath, certificate.Export(X509ContentType.Pfx, "pfx-secret"));
        var expected = Fingerprint.Sha256(certificate.RawData);

        await using var server = await TestServer.StartAsync(o => (o.CertificatePath, o.CertificatePassword) = (pfxPath, "pfx-secret"));
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions with { Trust = ServerTrust.Pin(expected) });

        Assert.Equal(expected, connection.CertificateFingerprint);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Client_PinningAnotherFingerprint_IsRefusedBeforeAnyProtocolTraffic()
    {
        await using var server = await TestServer.StartAsync();
        var wrong = Fingerprint.Format(new byte[32]);

        await Assert.ThrowsAsync<ServerTrustException>(() =>
            ParleyConnection.ConnectAsync(server.ClientOptions with { Trust = ServerTrust.Pin(wrong) }, Timeouts.Token()));
    }
}
