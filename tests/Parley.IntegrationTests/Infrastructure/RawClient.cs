using System.Security.Authentication;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// A deliberately bare client for hostile-peer tests: it can stop after TLS, stop reading, or send whatever it likes.
/// It speaks the protocol with Parley.Protocol's pieces directly, not through Parley.Client.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private FrameSealer? _sealer;

    private RawClient(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
        Output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
        Input = new FrameInput(PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true)), 16 * 1024 * 1024);
    }

    public PipeWriter Output { get; }
    public FrameInput Input { get; }
    public Socket Socket => _tcp.Client;
    public TlsCipherSuite NegotiatedCipherSuite => _tls.NegotiatedCipherSuite;

    /// <summary>TLS with ALPN parley/1 and the pinned certificate; no key exchange yet.</summary>
    public static async Task<RawClient> ConnectTlsAsync(
        TestServer server, int receiveBufferBytes = 0, bool offerAlpn = true, SslProtocols protocols = SslProtocols.None, CipherSuitesPolicy? cipherSuites = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        if (receiveBufferBytes > 0)
        {
            tcp.ReceiveBufferSize = receiveBufferBytes;
        }

        await tcp.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = offerAlpn ? [new SslApplicationProtocol(ProtocolConstants.Alpn)] : null,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = cipherSuites,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Fingerprint.AreEqual(Fingerprint.Sha256(certificate.GetRawCertData()), server.Server.CertificateFingerprint),
        }, Timeouts.Token());
        return new RawClient(tcp, tls);
    }

    /// <summary>TLS plus the key exchange: from here on frames are sealed.</summary>
    public static async Task<RawClient> ConnectAsync(TestServer server, int receiveBufferBytes = 0)
    {
        var client = await ConnectTlsAsync(server, receiveBufferBytes);
        using var offerFrame = await client.Input.ReadAsync(Timeouts.Token());
        var offerBody = offerFrame.Payload.ToArray();
        ServerMessageCodec.TryDecode(offerBody, out var offer);
        var handshake = ClientHandshake.Start((KeyExchangeMessage)offer!);
        var answer = ClientMessageCodec.Encode(handshake.Answer);
        FrameWriter.Write(client.Output, answer);
        await client.Output.FlushAsync();
        var keys = handshake.Complete(offerBody, answer);
        client._sealer = keys.CreateClientSealer();
        client.Input.Opener = keys.CreateClientOpener();
        return client;
    }

    public async Task SendAsync(string json)
    {
        _sealer!.WriteFrame(Output, System.Text.Encoding.UTF8.GetBytes(json));
        await Output.FlushAsync();
    }

    /// <summary>One sealed frame as bytes, so a test can send it twice or out of order.</summary>
    public byte[] Seal(string json)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        _sealer!.WriteFrame(buffer, System.Text.Encoding.UTF8.GetBytes(json));
        return buffer.WrittenSpan.ToArray();
    }

    public async Task WriteBytesAsync(byte[] bytes)
    {
        await Output.WriteAsync(bytes);
    }

    /// <summary>The next frame decoded as a server message, or null when the stream ended.</summary>
    public async Task<ServerMessage?> ReceiveAsync()
    {
        using var frame = await Input.ReadAsync(Timeouts.Token());
        if (frame.Status != InboundFrameStatus.Frame)
        {
            return null;
        }

        ServerMessageCodec.TryDecode(frame.Payload.Span, out var message);
        return message;
    }

    /// <summary>Reads until an error arrives or the stream ends; returns the error, if any.</summary>
    public async Task<ErrorReply?> ReceiveErrorAsync()
    {
        while (await ReceiveAsync() is { } message)
        {
            if (message is ErrorReply error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>True once the server has closed the stream (reads drain whatever is still buffered).</summary>
    public async Task<bool> ServerClosedAsync()
    {
        try
        {
            while (true)
            {
                using var frame = await Input.ReadAsync(Timeouts.Token());
                if (frame.Status is InboundFrameStatus.EndOfStream or InboundFrameStatus.Truncated)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sealer?.Dispose();
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
