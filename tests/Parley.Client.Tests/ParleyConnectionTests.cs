using System.Buffers.Binary;
using System.Net;
using System.Text;
using Parley.Client.Tests.Support;
using Parley.Protocol;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Client.Tests;

public sealed class ParleyConnectionTests
{
    private static readonly TimeSpan Timeout = TestTimeouts.Default;

    [Fact]
    public async Task ConnectAsync_WithPinnedCertificate_CompletesTheKeyExchange()
    {
        await using var server = TestServer.Start();

        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        Assert.Equal("srv-1", connection.Server.ServerId);
        Assert.Equal("Test server", connection.Server.ServerName);
        Assert.Equal(server.CertificateFingerprint, connection.CertificateFingerprint);
        Assert.Equal(ServerTrustBasis.PinnedFingerprint, connection.TrustBasis);
        Assert.True(connection.IsConnected);
        Assert.Null(connection.Session);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task PingAsync_SealedRequestAndReply_RoundTripWithTheSameId()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        await connection.PingAsync().WaitAsync(Timeout);

        var ping = await session.NextMessageAsync<PingRequest>();
        Assert.False(string.IsNullOrEmpty(ping.Id));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Requests_AnsweredOutOfOrder_EachCompleteWithTheirOwnReply()
    {
        var first = new TaskCompletionSource<SendMessageRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(async (session, message) =>
        {
            var send = (SendMessageRequest)message;
            if (send.To == "first")
            {
                first.SetResult(send);
                return;
            }

            // Answer the second before the first.
            await session.SendAsync(new DeliveryStatusReply { Id = send.Id, To = send.To!, Status = DeliveryStates.Offline });
            var held = await first.Task;
            await session.SendAsync(new DeliveryStatusReply { Id = held.Id, To = held.To!, Status = DeliveryStates.Delivered });
        });
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var toFirst = connection.SendMessageAsync("first", "1");
        await first.Task.WaitAsync(Timeout);
        var toSecond = connection.SendMessageAsync("second", "2");

        Assert.Equal(("second", DeliveryStates.Offline), Pair(await toSecond.WaitAsync(Timeout)));
        Assert.Equal(("first", DeliveryStates.Delivered), Pair(await toFirst.WaitAsync(Timeout)));

        static (string, string) Pair(DeliveryStatusReply reply) => (reply.To, reply.Status);
    }

    [Fact]
    public async Task ConcurrentRequests_FromManyCallers_AllGetTheirReplies()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var sends = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => connection.SendMessageAsync($"user{i}", $"text {i}")))
            .ToArray();
        var replies = await Task.WhenAll(sends).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"user{i}"), replies.Select(r => r.To));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task LoginAsync_Accepted_SetsSession()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var session = await connection.LoginAsync("alice", "secret").WaitAsync(Timeout);

        Assert.Equal("u-alice", session.UserId);
        Assert.Same(session, connection.Session);
    }

    [Fact]
    public async Task LoginAsync_Refused_ThrowsParleyServerExceptionWithTheCodeAndKeepsTheConnection()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<ParleyServerException>(() => connection.LoginAsync("alice", "wrong").WaitAsync(Timeout));

        Assert.Equal(ErrorCodes.InvalidCredentials, error.Code);
        Assert.Equal("Wrong username or password.", error.Message);
        Assert.Null(connection.Session);
        await connection.PingAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task GetOnlineUsersAsync_ReturnsTheServersList()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var users = await connection.GetOnlineUsersAsync().WaitAsync(Timeout);

        Assert.Equal("alice", Assert.Single(users).Username);
    }

    [Fact]
    public async Task ConnectAsync_ServerWithoutAlpn_IsRefused()
    {
        await using var server = TestServer.Start(offerAlpn: false);

        var error = await Assert.ThrowsAsync<ParleyConnectionException>(
            () => ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout));

        Assert.Contains("did not negotiate ALPN 'parley/1'", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_CertificateOtherThanThePinnedOne_IsRefused()
    {
        await using var server = TestServer.Start();
        var options = server.ClientOptions with { Trust = ServerTrust.Pin(TestCertificates.RandomFingerprint()) };

        var error = await Assert.ThrowsAsync<ServerTrustException>(() => ParleyConnection.ConnectAsync(options).WaitAsync(Timeout));

        Assert.Contains("does not match the pinned fingerprint", error.Message);
        Assert.Equal(server.CertificateFingerprint, error.CertificateFingerprint);
    }

    [Fact]
    public async Task ConnectAsync_UnknownSelfSignedCertificate_IsRefusedWithItsFingerprint()
    {
        await using var server = TestServer.Start();
        var options = server.ClientOptions with { Trust = ServerTrust.Default };

        var error = await Assert.ThrowsAsync<ServerTrustException>(() => ParleyConnection.ConnectAsync(options).WaitAsync(Timeout));

        Assert.Contains($"--fingerprint {server.CertificateFingerprint}", error.Message);
        Assert.Contains("--trust-new", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_TrustNew_RecordsTheServerThenRefusesAChangedCertificate()
    {
        using var dir = new TempDirectory();
        var known = new KnownServersFile(dir.File("known_servers"));
        var trustNew = new ServerTrust { KnownServers = known, TrustNew = true };
        int port;
        await using (var server = TestServer.Start())
        {
            port = server.Port;
            var options = server.ClientOptions with { Trust = trustNew };
            await using (var first = await ParleyConnection.ConnectAsync(options).WaitAsync(Timeout))
            {
                Assert.Equal(ServerTrustBasis.TrustedOnFirstUse, first.TrustBasis);
            }

            Assert.Equal([server.CertificateFingerprint], known.Lookup("127.0.0.1", port));
            await using var second = await ParleyConnection.ConnectAsync(options with { Trust = trustNew with { TrustNew = false } }).WaitAsync(Timeout);
            Assert.Equal(ServerTrustBasis.KnownServer, second.TrustBasis);
        }

        // Same host and port, new certificate: refused even though trust-new is still on.
        var impostor = TestServer.Start();
        await using (impostor)
        {
            var options = impostor.ClientOptions with { Trust = trustNew };
            known.Add("127.0.0.1", impostor.Port, TestCertificates.RandomFingerprint());

            var error = await Assert.ThrowsAsync<ServerTrustException>(() => ParleyConnection.ConnectAsync(options).WaitAsync(Timeout));

            Assert.StartsWith($"WARNING: the certificate of 127.0.0.1:{impostor.Port} has changed", error.Message);
            Assert.Single(known.Lookup("127.0.0.1", impostor.Port));
        }
    }

    [Fact]
    public async Task ConnectionLevelError_EndsTheConnectionWithTheServersCode_AndFailsWaitingRequests()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            if (message is PingRequest)
            {
                await session.SendAsync(new ErrorReply { Code = ErrorCodes.SlowConsumer, Message = "You read too slowly." });
                await session.CloseAsync();
            }
        });
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<ParleyConnectionException>(() => connection.PingAsync().WaitAsync(Timeout));
        var reason = await connection.Completion.WaitAsync(Timeout);

        Assert.Equal(ErrorCodes.SlowConsumer, error.ErrorCode);
        Assert.Equal(ParleyCloseKind.ServerError, reason.Kind);
        Assert.Equal(ErrorCodes.SlowConsumer, reason.ErrorCode);
        Assert.Same(reason, connection.CloseReason);
        Assert.False(connection.IsConnected);
        var events = await ReadAllAsync(connection);
        Assert.Equal(ErrorCodes.SlowConsumer, Assert.IsType<ErrorReply>(Assert.Single(events)).Code);
        await Assert.ThrowsAsync<ParleyConnectionException>(() => connection.PingAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task ServerClosingTheStream_CompletesWithServerClosed()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        await session.CloseAsync();

        var reason = await connection.Completion.WaitAsync(Timeout);
        Assert.Equal(ParleyCloseKind.ServerClosed, reason.Kind);
        Assert.Null(reason.ErrorCode);
    }

    [Fact]
    public async Task Events_CarryMessagesAndPresence_AndSkipUnknownTypes()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        await session.SendJsonAsync("""{"type":"from_the_future","id":"x","anything":[1,2]}"""u8.ToArray());
        await session.SendAsync(new UserStatusEvent { UserId = "u-bob", Username = "bob", Status = PresenceStates.Online, VirtualIp = "10.8.0.3", ServerId = "srv-1" });
        await session.SendAsync(new ChatMessage
        {
            MessageId = "m-1", From = "bob", FromId = "u-bob", FromServer = "srv-1", To = "alice", ToId = "u-alice",
            Payload = "hi", Timestamp = DateTimeOffset.UnixEpoch,
        });
        await session.CloseAsync();

        var events = await ReadAllAsync(connection);

        Assert.Collection(
            events,
            e => Assert.Equal("bob", Assert.IsType<UserStatusEvent>(e).Username),
            e => Assert.Equal("hi", Assert.IsType<ChatMessage>(e).Payload));
    }

    [Fact]
    public async Task MalformedReplyToAWaitingRequest_FailsThatRequestInsteadOfHanging()
    {
        await using var server = TestServer.Start((session, message) =>
            session.SendJsonAsync(Encoding.UTF8.GetBytes($$"""{"type":"pong_v2","id":"{{message.Id}}"}""")));
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        await Assert.ThrowsAsync<ParleyProtocolException>(() => connection.PingAsync().WaitAsync(Timeout));
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task RequestRawAsync_ReturnsTheReplyWithThatId_ErrorsIncluded()
    {
        await using var server = TestServer.Start(async (session, message) =>
            await session.SendAsync(new ErrorReply { Id = message.Id, Code = ErrorCodes.NotAuthenticated, Message = "Log in first." }));
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);

        var reply = await connection.RequestRawAsync("raw-1", """{"type":"online_user_request","id":"raw-1"}"""u8.ToArray()).WaitAsync(Timeout);

        var error = Assert.IsType<ErrorReply>(reply);
        Assert.Equal(("raw-1", ErrorCodes.NotAuthenticated), (error.Id, error.Code));
    }

    [Fact]
    public async Task PostMessageAsync_AsksForFailuresOnly_AndAFailureArrivesAsAnEventWithTheReturnedId()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        var id = await connection.PostMessageAsync("dave", "are you there?").AsTask().WaitAsync(Timeout);
        var sent = await session.NextMessageAsync<SendMessageRequest>();
        await session.SendAsync(new DeliveryStatusReply { Id = id, To = "dave", Status = DeliveryStates.Offline });

        Assert.Equal((id, "dave", "are you there?", AckModes.Failures), (sent.Id, sent.To, sent.Payload, sent.Ack));
        var failure = Assert.IsType<DeliveryStatusReply>(await connection.Events.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal((id, DeliveryStates.Offline), (failure.Id, failure.Status));
    }

    [Fact]
    public async Task PostMessageAsync_AfterTheConnectionEnded_ThrowsTheCloseReason()
    {
        await using var server = TestServer.Start();
        var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        await connection.DisposeAsync();

        var ex = await Assert.ThrowsAsync<ParleyConnectionException>(() => connection.PostMessageAsync("bob", "late").AsTask());

        Assert.Equal(ParleyCloseKind.ClosedByClient, ex.CloseReason?.Kind);
    }

    [Fact]
    public async Task SendRawAsync_SealsAnyJson_AndAnUnmatchedErrorArrivesAsAnEvent()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        await connection.SendRawAsync("""{"type":"no_such_type","id":"r"}"""u8.ToArray()).WaitAsync(Timeout);
        var inbound = await session.NextAsync();
        await session.SendAsync(new ErrorReply { Id = "r", Code = ErrorCodes.UnknownType, Message = "Unknown message type." });

        Assert.Equal("""{"type":"no_such_type","id":"r"}""", Encoding.UTF8.GetString(inbound.Payload));
        Assert.Null(inbound.Message);
        var error = Assert.IsType<ErrorReply>(await connection.Events.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(ErrorCodes.UnknownType, error.Code);
    }

    [Fact]
    public async Task WriteUnsealedAsync_PutsBytesOnTheStreamWithoutFramingOrSealing()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();
        var oversized = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(oversized, int.MaxValue);

        await connection.WriteUnsealedAsync(oversized).WaitAsync(Timeout);

        var inbound = await session.NextAsync();
        Assert.Equal(InboundFrameStatus.TooLarge, inbound.Status);
    }

    [Fact]
    public async Task WriteUnsealedAsync_AFramedButUnsealedBody_FailsAuthenticationAtTheServer()
    {
        await using var server = TestServer.Start();
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();
        var body = """{"type":"ping","id":"plain-text-pretending-to-be-sealed"}"""u8.ToArray();
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);

        await connection.WriteUnsealedAsync(frame).WaitAsync(Timeout);

        Assert.Equal(InboundFrameStatus.DecryptFailed, (await session.NextAsync()).Status);
    }

    [Fact]
    public async Task ConnectAsync_WithLocalAddress_BindsTheSourceAddress()
    {
        await using var server = TestServer.Start();
        var source = IPAddress.Parse("127.0.0.2");

        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions with { LocalAddress = source }).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        Assert.Equal(source, session.RemoteEndPoint.Address);
    }

    [Fact]
    public async Task DisposeAsync_ClosesWithClosedByClient_AndTheServerSeesTheStreamEnd()
    {
        await using var server = TestServer.Start();
        var connection = await ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        await connection.DisposeAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal(ParleyCloseKind.ClosedByClient, (await connection.Completion.WaitAsync(Timeout)).Kind);
        await foreach (var _ in session.Received.ReadAllAsync().WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
        }

        await Assert.ThrowsAsync<ParleyConnectionException>(() => connection.PingAsync());
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_FailsWithAConnectionException()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var options = ParleyClientOptions.Default with { Host = "127.0.0.1", Port = port, Trust = ServerTrust.Pin(TestCertificates.RandomFingerprint()) };

        var error = await Assert.ThrowsAsync<ParleyConnectionException>(() => ParleyConnection.ConnectAsync(options).WaitAsync(Timeout));
        Assert.StartsWith($"Could not connect to 127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_ServerSilentAfterTls_FailsWithHandshakeTimeout()
    {
        await using var server = TestServer.Start(opening: TestOpening.Silent);
        var options = server.ClientOptions with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<ParleyConnectionException>(() => ParleyConnection.ConnectAsync(options).WaitAsync(Timeout));

        Assert.Equal(ErrorCodes.HandshakeTimeout, error.ErrorCode);
        Assert.Contains("did not complete within 0.3 s", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_ServerBusyInsteadOfKeyExchange_FailsWithTheServersCode()
    {
        await using var server = TestServer.Start(opening: TestOpening.Busy);

        var error = await Assert.ThrowsAsync<ParleyConnectionException>(() => ParleyConnection.ConnectAsync(server.ClientOptions).WaitAsync(Timeout));

        Assert.Equal(ErrorCodes.ServerBusy, error.ErrorCode);
        Assert.Contains("Too many connections", error.Message);
    }

    [Fact]
    public async Task Request_UnansweredWithinRequestTimeout_ThrowsTimeoutAndLeavesTheConnectionUsable()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            if (message is not OnlineUsersRequest)
            {
                await TestServer.DefaultHandler(session, message);
            }
        });
        await using var connection = await ParleyConnection.ConnectAsync(server.ClientOptions with { RequestTimeout = TimeSpan.FromMilliseconds(200) }).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => connection.GetOnlineUsersAsync().WaitAsync(Timeout));

        Assert.Contains("did not answer online_user_request", error.Message);
        await connection.PingAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Events_FullWithADroppingMode_DropAndCountInsteadOfStallingReplies()
    {
        await using var server = TestServer.Start();
        var options = server.ClientOptions with { EventQueueCapacity = 2, EventQueueFullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest };
        await using var connection = await ParleyConnection.ConnectAsync(options).WaitAsync(Timeout);
        var session = await server.NextSessionAsync();

        for (var i = 0; i < 5; i++)
        {
            await session.SendAsync(new UserStatusEvent { UserId = $"u{i}", Username = $"user{i}", Status = PresenceStates.Online, VirtualIp = "10.8.0.9", ServerId = "srv-1" });
        }

        await connection.PingAsync().WaitAsync(Timeout);

        Assert.Equal(3, connection.DroppedEvents);
        Assert.Equal("user3", Assert.IsType<UserStatusEvent>(await connection.Events.ReadAsync().AsTask().WaitAsync(Timeout)).Username);
    }

    private static async Task<List<ServerMessage>> ReadAllAsync(ParleyConnection connection)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var events = new List<ServerMessage>();
        await foreach (var e in connection.Events.ReadAllAsync(timeout.Token))
        {
            events.Add(e);
        }

        return events;
    }
}
