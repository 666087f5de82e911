using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Transport;

namespace Parley.Server.Tests.Transport;

public sealed class TlsBufferReleaseTests
{
    private const long ReleaseBuffers = 0x10; // SSL_MODE_RELEASE_BUFFERS

    [Fact]
    public async Task TryEnable_OnAnAuthenticatedServerStream_SetsOpenSslsReleaseBuffersMode()
    {
        await using var pair = await TlsPair.ConnectAsync();

        Assert.True(TlsBufferRelease.TryGetMode(pair.Server, out var before));
        Assert.Equal(0, before & ReleaseBuffers);
        Assert.True(TlsBufferRelease.TryEnable(pair.Server));
        Assert.True(TlsBufferRelease.TryGetMode(pair.Server, out var after));
        Assert.Equal(ReleaseBuffers, after & ReleaseBuffers);
        Assert.Equal(before, after & ~ReleaseBuffers);
    }

    [Fact]
    public async Task AStreamWithReleaseBuffers_StillCarriesDataBothWays()
    {
        await using var pair = await TlsPair.ConnectAsync();
        Assert.True(TlsBufferRelease.TryEnable(pair.Server));

        // Larger than one TLS record, so both buffers are used, released and taken again.
        var payload = RandomNumberGenerator.GetBytes(40_000);
        for (var round = 0; round < 3; round++)
        {
            await pair.Client.WriteAsync(payload);
            Assert.Equal(payload, await ReadExactlyAsync(pair.Server, payload.Length));
            await pair.Server.WriteAsync(payload);
            Assert.Equal(payload, await ReadExactlyAsync(pair.Client, payload.Length));
        }
    }

    [Fact]
    public void TryEnable_OnAStreamThatNeverAuthenticated_ReturnsFalse()
    {
        using var stream = new SslStream(new MemoryStream());

        Assert.False(TlsBufferRelease.TryEnable(stream));
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    /// <summary>A client and a server SslStream over a loopback TCP connection, authenticated with a fresh certificate.</summary>
    private sealed class TlsPair : IAsyncDisposable
    {
        private TlsPair(SslStream server, SslStream client)
        {
            Server = server;
            Client = client;
        }

        public SslStream Server { get; }
        public SslStream Client { get; }

        public static async Task<TlsPair> ConnectAsync()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
            using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
            var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);

            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = await listener.AcceptTcpClientAsync();
            await connecting;

            var server = new SslStream(accepted.GetStream());
            var thumbprint = certificate.GetCertHashString();
            var clientStream = new SslStream(client.GetStream(), false, (_, presented, _, _) => presented?.GetCertHashString() == thumbprint);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Task.WhenAll(
                server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token),
                clientStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token));
            return new TlsPair(server, clientStream);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
