using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Configuration;
using Parley.Server.Routing;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Parley.Server.Tests.Sessions;
using Parley.Server.Tests.Storage;

namespace Parley.Server.Tests.Routing;

public sealed class MessageRouterTests : IAsyncLifetime
{
    private const int MaxTextBytes = 12;

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 5, 17, 8, 30, 0, 123, TimeSpan.Zero));
    private readonly VirtualIpPool _pool = new(IPAddress.Parse("10.8.0.2"), IPAddress.Parse("10.8.0.254"));
    private readonly InMemoryUserStore _store = new();
    private readonly List<PipedSession> _piped = [];
    private readonly SessionRegistry _registry;
    private readonly MessageRouter _router;

    public MessageRouterTests()
    {
        _registry = new SessionRegistry(_pool);
        _router = new MessageRouter(_registry, _store, _time, Options.Create(new ParleyServerOptions { MaxTextBytes = MaxTextBytes }));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var piped in _piped)
        {
            await piped.DisposeAsync();
        }
    }

    private async Task<UserRecord> RegisteredAsync(string username, string homeServer = TestUsers.HomeServer)
    {
        var user = TestUsers.Create(username, homeServer);
        Assert.Equal(CreateUserResult.Created, await _store.CreateAsync(user));
        return user;
    }

    private PipedSession Connect(UserRecord user)
    {
        var piped = new PipedSession(connectionId: $"c{_piped.Count}").StartWriter();
        _piped.Add(piped);
        _registry.Track(piped.Session);
        Assert.NotNull(_registry.Attach(piped.Session, user));
        return piped;
    }

    private async Task<(UserRecord User, PipedSession Session)> OnlineAsync(string username, string homeServer = TestUsers.HomeServer)
    {
        var user = await RegisteredAsync(username, homeServer);
        return (user, Connect(user));
    }

    private ValueTask<ServerReply?> SendAsync(PipedSession from, string to, string text, string id = "m1", string? ack = null) =>
        _router.SendDirectAsync(from.Session, new SendMessageRequest { Id = id, To = to, Payload = text, Ack = ack }, CancellationToken.None);

    [Fact]
    public async Task SendDirect_ToAnOnlineUser_QueuesTheMessageOnceToEachOfTheirSessions_AndReportsDeliveredWithTheMessageId()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (bob, bobPhone) = await OnlineAsync("Bob");
        var bobLaptop = Connect(bob);
        var (_, carol) = await OnlineAsync("carol");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, "bob", "hi Bob"));

        Assert.Equal(("m1", DeliveryStates.Delivered, "Bob", bob.Id.ToString()), (reply.Id, reply.Status, reply.To, reply.ToId));
        Assert.NotNull(reply.MessageId);
        foreach (var session in new[] { bobPhone, bobLaptop })
        {
            var message = Assert.IsType<ChatMessage>(Assert.Single(await session.DrainAsync()));
            Assert.Equal((reply.MessageId, "hi Bob", "Bob", bob.Id.ToString()), (message.MessageId, message.Payload, message.To, message.ToId));
        }

        Assert.Empty(await alice.DrainAsync());
        Assert.Empty(await carol.DrainAsync());
    }

    [Fact]
    public async Task SendDirect_WithAckFailures_ToAnOnlineUser_DeliversToEverySessionAndAnswersNothing()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (bob, bobPhone) = await OnlineAsync("bob");
        var bobLaptop = Connect(bob);

        var reply = await SendAsync(alice, "bob", "no status", ack: AckModes.Failures);

        Assert.Null(reply);
        foreach (var session in new[] { bobPhone, bobLaptop })
        {
            Assert.Equal("no status", (await session.ReceiveAsync<ChatMessage>()).Payload);
        }

        Assert.Empty(await alice.DrainAsync());
    }

    [Theory]
    [InlineData("dave", DeliveryStates.Offline)]
    [InlineData("nobody", DeliveryStates.UnknownUser)]
    public async Task SendDirect_WithAckFailures_ThatIsNotDelivered_StillReportsWhyWithTheRequestId(string to, string status)
    {
        var (_, alice) = await OnlineAsync("alice");
        await RegisteredAsync("dave");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, to, "there?", id: "f1", ack: AckModes.Failures));

        Assert.Equal(("f1", status, to), (reply.Id, reply.Status, reply.To));
        Assert.Null(reply.MessageId);
    }

    [Fact]
    public async Task SendDirect_WithAckFailures_ToAUserWhoseOnlySessionIsClosing_ReportsOffline()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (_, bobSession) = await OnlineAsync("bob");
        bobSession.Session.CloseWithError(new ProtocolError(ErrorCodes.SlowConsumer, "too slow"));

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, "bob", "lost", ack: AckModes.Failures));

        Assert.Equal(DeliveryStates.Offline, reply.Status);
    }

    [Fact]
    public async Task SendDirect_WithAckFailures_TooLarge_IsStillRefused()
    {
        var (_, alice) = await OnlineAsync("alice");
        await OnlineAsync("bob");

        var reply = Assert.IsType<ErrorReply>(await SendAsync(alice, "bob", new string('x', MaxTextBytes + 1), id: "big", ack: AckModes.Failures));

        Assert.Equal((ErrorCodes.TooLarge, "big"), (reply.Code, reply.Id));
    }

    [Fact]
    public async Task SendDirect_ToAnOnlineUserById_IsDelivered()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (bob, bobSession) = await OnlineAsync("bob");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, bob.Id.ToString(), "by id"));

        Assert.Equal(DeliveryStates.Delivered, reply.Status);
        Assert.Equal("bob", reply.To);
        Assert.Equal("by id", (await bobSession.ReceiveAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task SendDirect_TakesEverySenderFieldFromTheSenderSessionsUser_NeverFromTheRequest()
    {
        var (alice, aliceSession) = await OnlineAsync("alice", homeServer: "alice-home.example");
        var (_, bob) = await OnlineAsync("bob");
        var forged = """
            {"type":"message","id":"m1","to":"bob","payload":"trust me","from":"mallory","from_id":"00000000-0000-0000-0000-000000000001","from_server":"evil.example"}
            """;
        Assert.True(ClientMessageCodec.TryDecode(Encoding.UTF8.GetBytes(forged), out var request, out _));

        await _router.SendDirectAsync(aliceSession.Session, Assert.IsType<SendMessageRequest>(request), CancellationToken.None);

        var message = await bob.ReceiveAsync<ChatMessage>();
        Assert.Equal(("alice", alice.Id.ToString(), "alice-home.example"), (message.From, message.FromId, message.FromServer));
    }

    [Fact]
    public async Task SendDirect_StampsTheTimeAndAVersion7MessageIdFromTheTimeProvider()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (_, bob) = await OnlineAsync("bob");
        var first = _time.GetUtcNow();

        await SendAsync(alice, "bob", "one");
        _time.Advance(TimeSpan.FromMinutes(3));
        await SendAsync(alice, "bob", "two");

        var one = await bob.ReceiveAsync<ChatMessage>();
        var two = await bob.ReceiveAsync<ChatMessage>();
        Assert.Equal(first, one.Timestamp);
        Assert.Equal(first.AddMinutes(3), two.Timestamp);
        foreach (var message in new[] { one, two })
        {
            var id = Guid.Parse(message.MessageId);
            Assert.Equal(7, id.Version);
            Assert.Equal(message.Timestamp.ToUnixTimeMilliseconds(), UnixMillisecondsOf(id));
        }
    }

    [Theory]
    [InlineData("aaaaaaaaaaaa")] // 12 × 1 byte
    [InlineData("€€€€")] // 4 × 3 bytes: 4 characters
    [InlineData("😀😀😀")] // 3 × 4 bytes: 6 UTF-16 units
    [InlineData("éé€😀a")] // 2 + 2 + 3 + 4 + 1
    public async Task SendDirect_TextOfExactlyMaxTextBytesInUtf8_IsDelivered(string text)
    {
        Assert.Equal(MaxTextBytes, Encoding.UTF8.GetByteCount(text));
        var (_, alice) = await OnlineAsync("alice");
        var (_, bob) = await OnlineAsync("bob");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, "bob", text));

        Assert.Equal(DeliveryStates.Delivered, reply.Status);
        Assert.Equal(text, (await bob.ReceiveAsync<ChatMessage>()).Payload);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaa")]
    [InlineData("€€€€a")] // 13 bytes in 5 characters
    [InlineData("😀😀😀a")] // 13 bytes in 7 UTF-16 units
    public async Task SendDirect_TextOneUtf8ByteOverMaxTextBytes_IsRefusedWithTooLarge(string text)
    {
        Assert.Equal(MaxTextBytes + 1, Encoding.UTF8.GetByteCount(text));
        var (_, alice) = await OnlineAsync("alice");
        var (_, bob) = await OnlineAsync("bob");

        var error = Assert.IsType<ErrorReply>(await SendAsync(alice, "bob", text));

        Assert.Equal(("m1", ErrorCodes.TooLarge), (error.Id, error.Code));
        Assert.Contains("MaxTextBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{MaxTextBytes}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await bob.DrainAsync());
    }

    [Fact]
    public async Task SendDirect_TextWithinMaxTextBytesWhoseEncodedFrameExceedsMaxFrameBytes_IsRefusedWithTooLarge()
    {
        var options = new ParleyServerOptions { MaxFrameBytes = 4096, MaxTextBytes = 2048 };
        var router = new MessageRouter(_registry, _store, _time, Options.Create(options));
        var (_, alice) = await OnlineAsync("alice");
        var (_, bob) = await OnlineAsync("bob");

        // Each control character is one UTF-8 byte but six bytes of JSON (\u0001).
        var reply = await router.SendDirectAsync(alice.Session, new SendMessageRequest { Id = "big", To = "bob", Payload = new string('\u0001', 2048) }, CancellationToken.None);

        var error = Assert.IsType<ErrorReply>(reply);
        Assert.Equal(("big", ErrorCodes.TooLarge), (error.Id, error.Code));
        Assert.Contains("MaxFrameBytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(await bob.DrainAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendDirect_ToARegisteredUserWhoIsOffline_ReportsOfflineWithoutAMessageId(bool byId)
    {
        var (_, alice) = await OnlineAsync("alice");
        var dave = await RegisteredAsync("Dave");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, byId ? dave.Id.ToString() : "DAVE", "there?"));

        Assert.Equal(("m1", DeliveryStates.Offline, "Dave", dave.Id.ToString()), (reply.Id, reply.Status, reply.To, reply.ToId));
        Assert.Null(reply.MessageId);
        Assert.Empty(await alice.DrainAsync());
    }

    [Fact]
    public async Task SendDirect_ToAUsernameOf32HexDigits_ReachesThatUserByName()
    {
        // Valid usernames that Guid.TryParse would also read as ids (the 32-digit "N" form).
        var (_, alice) = await OnlineAsync("alice");
        var (online, onlineSession) = await OnlineAsync("0123456789abcdef0123456789abcdef");
        var offline = await RegisteredAsync("fedcba9876543210fedcba9876543210");

        var delivered = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, online.Username, "hex"));
        var notThere = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, offline.Username.ToUpperInvariant(), "hex"));

        Assert.Equal((DeliveryStates.Delivered, online.Id.ToString()), (delivered.Status, delivered.ToId));
        Assert.Equal("hex", (await onlineSession.ReceiveAsync<ChatMessage>()).Payload);
        Assert.Equal((DeliveryStates.Offline, offline.Id.ToString()), (notThere.Status, notThere.ToId));
    }

    [Fact]
    public async Task SendDirect_ToAUserWhoseOnlySessionIsClosing_ReportsOfflineWithoutAMessageId()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (bob, bobSession) = await OnlineAsync("bob");

        // Cut off (as a slow consumer is) but not yet detached: still in the registry, taking nothing.
        bobSession.Session.CloseWithError(new ProtocolError(ErrorCodes.SlowConsumer, "too slow"));
        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, "bob", "lost"));

        Assert.Equal((DeliveryStates.Offline, "bob", bob.Id.ToString()), (reply.Status, reply.To, reply.ToId));
        Assert.Null(reply.MessageId);
        Assert.DoesNotContain(await bobSession.ReadToEndAsync(), m => m is ChatMessage);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("0196e0a4-1234-7abc-8def-0123456789ab")]
    public async Task SendDirect_ToAnUnknownNameOrId_ReportsUnknownUser(string to)
    {
        var (_, alice) = await OnlineAsync("alice");
        await OnlineAsync("bob");

        var reply = Assert.IsType<DeliveryStatusReply>(await SendAsync(alice, to, "hello?"));

        Assert.Equal(("m1", DeliveryStates.UnknownUser, to), (reply.Id, reply.Status, reply.To));
        Assert.Null(reply.ToId);
        Assert.Null(reply.MessageId);
    }

    [Fact]
    public async Task PublishPresence_ReachesEveryOtherOnlineUsersSessions_AndNotTheUsersOwn()
    {
        var (alice, alicePhone) = await OnlineAsync("alice", homeServer: "alice-home.example");
        var aliceLaptop = Connect(alice);
        var (bob, bobPhone) = await OnlineAsync("bob");
        var bobLaptop = Connect(bob);
        var (_, carol) = await OnlineAsync("carol");
        Assert.True(_registry.TryFind("alice", out var aliceState));

        _router.PublishPresence(aliceState, PresenceStates.Online);

        foreach (var session in new[] { bobPhone, bobLaptop, carol })
        {
            var status = Assert.IsType<UserStatusEvent>(Assert.Single(await session.DrainAsync()));
            Assert.Equal(
                (alice.Id.ToString(), "alice", PresenceStates.Online, aliceState.Entry.VirtualIp, "alice-home.example"),
                (status.UserId, status.Username, status.Status, status.VirtualIp, status.ServerId));
        }

        Assert.Empty(await alicePhone.DrainAsync());
        Assert.Empty(await aliceLaptop.DrainAsync());
    }

    [Fact]
    public async Task PublishPresence_OfflineAfterTheLastSessionLeft_ReachesEveryoneStillOnline()
    {
        var (_, alice) = await OnlineAsync("alice");
        var (_, bob) = await OnlineAsync("bob");
        var gone = _registry.Detach(alice.Session);
        Assert.NotNull(gone);

        _router.PublishPresence(gone, PresenceStates.Offline);

        var status = Assert.IsType<UserStatusEvent>(Assert.Single(await bob.DrainAsync()));
        Assert.Equal(("alice", PresenceStates.Offline, "10.8.0.2"), (status.Username, status.Status, status.VirtualIp));
        Assert.Empty(await alice.DrainAsync());
    }

    [Fact]
    public async Task OnlineUsers_AreSortedByUsernameIgnoringCase()
    {
        foreach (var name in new[] { "bob", "Alice", "carol", "Dave", "alex" })
        {
            await OnlineAsync(name);
        }

        var list = _router.OnlineUsers();

        Assert.Equal(["alex", "Alice", "bob", "carol", "Dave"], list.Select(u => u.Username));
        var alice = Assert.Single(list, u => u.Username == "Alice");
        Assert.True(_registry.TryFind("alice", out var state));
        Assert.Equal(state.Entry, alice);
        Assert.Equal(TestUsers.HomeServer, alice.ServerId);
    }

    [Fact]
    public void OnlineUsers_WithNobodyOnline_IsEmpty()
    {
        Assert.Empty(_router.OnlineUsers());
    }

    private static long UnixMillisecondsOf(Guid version7)
    {
        var bytes = version7.ToByteArray(bigEndian: true);
        return ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
    }
}
