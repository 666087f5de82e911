using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parley.Bench.Targets.Floor;

/// <summary>
/// What the floor's two ends share: the same kind of certificate as parley-server makes (self-signed ECDSA P-256),
/// the same TLS versions and AEAD cipher suites (the clients offer only these), and a 4-byte big-endian length before
/// each message.
/// </summary>
internal static class FloorTls
{
    public const int PrefixLength = 4;
    public const int MaxMessage = 1 << 20;

    public static SslProtocols Protocols => SslProtocols.Tls12 | SslProtocols.Tls13;

    public static CipherSuitesPolicy? CipherSuites => OperatingSystem.IsWindows() ? null : new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    /// <summary>A self-signed P-256 certificate for localhost and 127.0.0.1, as parley-server creates on first start.</summary>
    public static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));

        // An ephemeral key must round-trip through PKCS#12 before SslStream on Linux can use it as a server certificate.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public static void WritePrefix(Span<byte> destination, int length) => BinaryPrimitives.WriteInt32BigEndian(destination, length);

    public static int ReadPrefix(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadInt32BigEndian(source);

    /// <summary>A TCP socket from <paramref name="source"/> (null: any), Nagle off.</summary>
    public static Socket CreateClientSocket(IPEndPoint server, IPAddress? source)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null)
        {
            if (OperatingSystem.IsLinux() && source.AddressFamily == AddressFamily.InterNetwork)
            {
                // IP_BIND_ADDRESS_NO_PORT, as Parley.Client does: the port is picked per destination at connect time.
                try
                {
                    socket.SetRawSocketOption(0, 24, BitConverter.GetBytes(1));
                }
                catch (SocketException)
                {
                }
            }

            socket.Bind(new IPEndPoint(source, 0));
        }

        return socket;
    }
}
