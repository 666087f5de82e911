using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;

namespace Parley.Client.Tests.Support;

/// <summary>
/// A tiny Parley server on 127.0.0.1, port 0: TLS with a certificate made in the test, the server side of the key
/// exchange from Parley.Protocol, then a handler per decoded message. The default handler answers like a real server
/// would for one user (<see cref="DefaultHandler"/>). Server-side failures are kept in <see cref="Errors"/>.
/// </summary>
/// <summary>What the test server does once TLS is up.</summary>
internal enum TestOpening
{
    /// <summary>The key exchange, then sealed frames.</summary>
    KeyExchange,

    /// <summary>Nothing at all: a server that hangs before key_exchange.</summary>
    Silent,

    /// <summary>A plain server_busy error instead of key_exchange, then close.</summary>
    Busy,
}

internal sealed class TestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<TestSession, ClientMessage, Task> _handler;
    private readonly bool _offerAlpn;
    private readonly TestOpening _opening;
    private readonly Channel<TestSession> _sessions = Channel.CreateUnbounded<TestSession>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private readonly Task _acceptLoop;

    private TestServer(X509Certificate2 certificate, Func<TestSession, ClientMessage, Task>? handler, bool offerAlpn, TestOpening opening)
    {
        Certificate = certificate;
        _handler = handler ?? DefaultHandler;
        _offerAlpn = offerAlpn;
        _opening = opening;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public X509Certificate2 Certificate { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string CertificateFingerprint => TestCertificates.FingerprintOf(Certificate);

    public List<Exception> Errors { get; } = [];

    /// <summary>Options that reach this server and pin its certificate.</summary>
    public ParleyClientOptions ClientOptions => ParleyClientOptions.Default with
    {
        Host = "127.0.0.1",
        Port = Port,
        Trust = ServerTrust.Pin(CertificateFingerprint),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public static TestServer Start(
        Func<TestSession, ClientMessage, Task>? handler = null,
        bool offerAlpn = true,
        X509Certificate2? certificate = null,
        TestOpening opening = TestOpening.KeyExchange) =>
        new(certificate ?? TestCertificates.CreateSelfSigned(), handler, offerAlpn, opening);

    /// <summary>The next session whose key exchange completed.</summary>
    public async Task<TestSession> NextSessionAsync() =>
        await _sessions.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);

    /// <summary>Answers like a server with one account per username and any password except "wrong".</summary>
    public static async Task DefaultHandler(TestSession session, ClientMessage message)
    {
        switch (message)
        {
            case PingRequest ping:
                await session.SendAsync(new PongReply { Id = ping.Id });
                break;
            case RegisterRequest register:
                await session.SendAsync(new RegisterResponse { Id = register.Id, UserId = "u-" + register.Username, Username = register.Username!, ServerId = "srv-1" });
                break;
            case LoginRequest { Password: "wrong" } login:
                await session.SendAsync(new ErrorReply { Id = login.Id, Code = ErrorCodes.InvalidCredentials, Message = "Wrong username or password." });
                break;
            case LoginRequest login:
                await session.SendAsync(new LoginResponse
                {
                    Id = login.Id, UserId = "u-" + login.Username, Username = login.Username!,
                    VirtualIp = "10.8.0.2", ServerId = "srv-1", ServerName = "Test server",
                });
                break;
            case OnlineUsersRequest users:
                await session.SendAsync(new OnlineUsersResponse
                {
                    Id = users.Id,
                    Users = [new OnlineUser { UserId = "u-alice", Username = "alice", VirtualIp = "10.8.0.2", ServerId = "srv-1" }],
                });
                break;
            case SendMessageRequest send:
                var status = send.To == "nobody" ? DeliveryStates.UnknownUser : DeliveryStates.Delivered;
                if (status == DeliveryStates.Delivered && !send.WantsAckForDelivered)
                {
                    break;
                }

                await session.SendAsync(new DeliveryStatusReply
                {
                    Id = send.Id, To = send.To!, Status = status,
                    MessageId = status == DeliveryStates.Delivered ? "m-" + send.Id : null,
                    ToId = status == DeliveryStates.Delivered ? "u-" + send.To : null,
                });
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(TestTimeouts.Default);
        _stopping.Dispose();
        Certificate.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            lock (_running)
            {
                _running.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await using var _ = stream;
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = Certificate,
                ApplicationProtocols = _offerAlpn ? [new SslApplicationProtocol(ProtocolConstants.Alpn)] : null,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, _stopping.Token);

            if (_opening == TestOpening.Silent)
            {
                // Hold the connection open until the client gives up.
                var read = await stream.ReadAsync(new byte[1], _stopping.Token);
                Assert.Equal(0, read);
                return;
            }

            if (_opening == TestOpening.Busy)
            {
                var output = System.IO.Pipelines.PipeWriter.Create(stream);
                Parley.Protocol.Framing.FrameWriter.Write(output, ServerMessageCodec.Encode(
                    new ErrorReply { Code = ErrorCodes.ServerBusy, Message = "Too many connections; try again later." }));
                await output.CompleteAsync();
                return;
            }

            var session = await TestSession.AcceptAsync(stream, (IPEndPoint)socket.RemoteEndPoint!, _stopping.Token);
            await _sessions.Writer.WriteAsync(session);
            await session.RunAsync(_handler, _stopping.Token);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
        catch (AuthenticationException)
        {
            // The client refused the certificate or ALPN: what several tests want.
        }
        catch (IOException)
        {
            // The client went away mid-handshake.
        }
        catch (Exception ex)
        {
            lock (Errors)
            {
                Errors.Add(ex);
            }
        }
    }
}

internal static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);
}
