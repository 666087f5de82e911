using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Accounts;
using Parley.Server.Configuration;
using Parley.Server.Handlers;
using Parley.Server.Routing;
using Parley.Server.Sessions;
using Parley.Server.Tests.Accounts;
using Parley.Server.Tests.Sessions;
using Parley.Server.Tests.Storage;

namespace Parley.Server.Tests.Handlers;

public sealed class RequestDispatcherTests : IClassFixture<ServerIdentityFixture>, IAsyncLifetime
{
    private const string Password = "Tr1cky!Passw0rd";
    private const int MaxLoginAttempts = 3;

    private static readonly CommonPasswords Common = CommonPasswords.LoadEmbedded();

    private readonly InMemoryUserStore _store = new();
    private readonly ManualTimeProvider _time = new();
    private readonly List<PipedSession> _piped = [];
    private readonly VirtualIpPool _pool = new(IPAddress.Parse("10.8.0.2"), IPAddress.Parse("10.8.0.3"));
    private readonly PasswordHasher _hasher = new(PasswordHasherTests.TestPepper, workFactor: 4, maxConcurrency: 1);
    private readonly SessionRegistry _registry;
    private readonly RequestDispatcher _dispatcher;

    public RequestDispatcherTests(ServerIdentityFixture fixture)
    {
        var options = Options.Create(new ParleyServerOptions { MaxLoginAttempts = MaxLoginAttempts });
        _registry = new SessionRegistry(_pool);
        var router = new MessageRouter(_registry, _store, _time, options);
        var accounts = new AccountService(
            _store,
            new PasswordPolicy(PasswordPolicyKind.Classic, Common),
            _hasher,
            fixture.Identity.ServerId,
            _time);
        var handler = new AccountHandler(accounts, _registry, router, fixture.Identity, options, NullLogger<AccountHandler>.Instance);
        _dispatcher = new RequestDispatcher(handler, router);
    }

    /// <summary>Every client message type that needs a login first.</summary>
    public static TheoryData<string> TypesNeedingLogin
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var derived in AccessPolicyTests.DerivedTypes())
            {
                var type = (string)derived.TypeDiscriminator!;
                if (type is not (MessageTypes.Register or MessageTypes.Login or MessageTypes.Ping))
                {
                    data.Add(type);
                }
            }

            return data;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var piped in _piped)
        {
            await piped.DisposeAsync();
        }
    }

    private PipedSession Connect()
    {
        var piped = new PipedSession(time: _time, connectionId: $"c{_piped.Count}").StartWriter();
        _piped.Add(piped);
        _registry.Track(piped.Session);
        return piped;
    }

    private ValueTask DispatchAsync(PipedSession piped, ClientMessage message) =>
        _dispatcher.DispatchAsync(piped.Session, message, CancellationToken.None);

    private async Task<T> RequestAsync<T>(PipedSession piped, ClientMessage message)
        where T : ServerMessage
    {
        await DispatchAsync(piped, message);
        return await piped.ReceiveAsync<T>();
    }

    private async Task<ErrorReply> RefusedAsync(PipedSession piped, ClientMessage message, string code)
    {
        var error = await RequestAsync<ErrorReply>(piped, message);
        Assert.Equal((message.Id, code), (error.Id, error.Code));
        return error;
    }

    private static LoginRequest Login(string username, string password = Password, string id = "login") =>
        new() { Id = id, Username = username, Password = password };

    private async Task RegisterAsync(string username)
    {
        var piped = Connect();
        await RequestAsync<RegisterResponse>(piped, new RegisterRequest { Id = "reg", Username = username, Password = Password });
        await piped.DrainAsync();
    }

    private async Task<PipedSession> LoggedInAsync(string username)
    {
        if (await _store.FindByUsernameAsync(username) is null)
        {
            await RegisterAsync(username);
        }

        var piped = Connect();
        await RequestAsync<LoginResponse>(piped, Login(username));
        return piped;
    }

    [Theory]
    [MemberData(nameof(TypesNeedingLogin))]
    public async Task Dispatch_BeforeLogin_RefusesEveryTypeButRegisterLoginAndPingWithNotAuthenticated(string type)
    {
        var bob = await LoggedInAsync("bob");
        var anonymous = Connect();

        await RefusedAsync(anonymous, AccessPolicyTests.Create(type, "r1"), ErrorCodes.NotAuthenticated);

        // A request-level refusal: the session stays open, and nothing reached anyone else.
        Assert.False(anonymous.Session.IsClosing);
        Assert.Empty(await anonymous.DrainAsync());
        Assert.Empty(await bob.DrainAsync());
    }

    [Fact]
    public async Task Dispatch_MessageBeforeLogin_IsNotDelivered()
    {
        var bob = await LoggedInAsync("bob");
        var anonymous = Connect();

        await RefusedAsync(anonymous, new SendMessageRequest { Id = "m1", To = "bob", Payload = "hi" }, ErrorCodes.NotAuthenticated);

        Assert.Empty(await bob.DrainAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ping_GetsPongWithTheRequestId(bool loggedIn)
    {
        var piped = loggedIn ? await LoggedInAsync("alice") : Connect();

        var pong = await RequestAsync<PongReply>(piped, new PingRequest { Id = "ping-7" });

        Assert.Equal("ping-7", pong.Id);
    }

    [Fact]
    public async Task Register_BeforeLogin_CreatesTheAccountOnThisServer()
    {
        var piped = Connect();

        var response = await RequestAsync<RegisterResponse>(piped, new RegisterRequest { Id = "r1", Username = "Alice", Password = Password });

        var stored = await _store.FindByUsernameAsync("alice");
        Assert.NotNull(stored);
        Assert.Equal(("r1", "Alice", stored.Id.ToString(), ServerIdentityFixture.ServerId), (response.Id, response.Username, response.UserId, response.ServerId));
        Assert.Null(piped.Session.User);
    }

    [Theory]
    [InlineData("a b", Password, ErrorCodes.InvalidUsername)]
    [InlineData("alice", "Xq1!", ErrorCodes.WeakPassword)]
    [InlineData("TAKEN", Password, ErrorCodes.UsernameTaken)]
    public async Task Register_Refused_RepliesWithTheReasonsCode(string username, string password, string code)
    {
        await RegisterAsync("taken");
        var piped = Connect();

        var error = await RefusedAsync(piped, new RegisterRequest { Id = "r1", Username = username, Password = password }, code);

        Assert.DoesNotContain(password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_WithTheRightPassword_AttachesTheSessionAndRepliesWithVirtualIpAndServerIdentity()
    {
        await RegisterAsync("Alice");
        var piped = Connect();

        var response = await RequestAsync<LoginResponse>(piped, Login("alice"));

        var user = await _store.FindByUsernameAsync("alice");
        Assert.Equal(("login", "Alice", user!.Id.ToString()), (response.Id, response.Username, response.UserId));
        Assert.Equal(("10.8.0.2", ServerIdentityFixture.ServerId, ServerIdentityFixture.ServerName), (response.VirtualIp, response.ServerId, response.ServerName));
        Assert.Equal(user, piped.Session.User);
        Assert.True(_registry.TryFind("alice", out var state));
        Assert.Contains(piped.Session, state.Sessions.ToArray());
    }

    [Fact]
    public async Task Login_FirstSessionTellsOthersTheUserIsOnline_ASecondSessionDoesNot()
    {
        var bob = await LoggedInAsync("bob");

        var alicePhone = await LoggedInAsync("alice");
        var online = await bob.ReceiveAsync<UserStatusEvent>();
        var aliceLaptop = await LoggedInAsync("alice");

        Assert.Equal(("alice", PresenceStates.Online, "10.8.0.3"), (online.Username, online.Status, online.VirtualIp));
        Assert.Empty(await bob.DrainAsync());
        Assert.Empty(await alicePhone.DrainAsync());
        Assert.Empty(await aliceLaptop.DrainAsync());
    }

    [Fact]
    public async Task Login_Twice_OnOneSession_IsRefusedWithAlreadyAuthenticated()
    {
        var piped = await LoggedInAsync("alice");

        await RefusedAsync(piped, Login("alice", id: "again"), ErrorCodes.AlreadyAuthenticated);

        Assert.Single(_registry.OnlineUsers.Single().Sessions.ToArray());
    }

    [Fact]
    public async Task AesKey_AfterLogin_GetsBadMessage()
    {
        var piped = await LoggedInAsync("alice");

        await RefusedAsync(piped, new AesKeyMessage { Id = "k1", Key = "AAAA" }, ErrorCodes.BadMessage);

        Assert.False(piped.Session.IsClosing);
    }

    [Fact]
    public async Task OnlineUsersRequest_AfterLogin_ListsEveryoneOnline()
    {
        await LoggedInAsync("bob");
        var alice = await LoggedInAsync("alice");

        var list = await RequestAsync<OnlineUsersResponse>(alice, new OnlineUsersRequest { Id = "u1" });

        Assert.Equal("u1", list.Id);
        Assert.Equal(["alice", "bob"], list.Users.Select(u => u.Username));
    }

    [Fact]
    public async Task Message_AfterLogin_RepliesToTheSenderAndReachesTheRecipient()
    {
        var bob = await LoggedInAsync("bob");
        var alice = await LoggedInAsync("alice");
        await bob.ReceiveAsync<UserStatusEvent>();

        var status = await RequestAsync<DeliveryStatusReply>(alice, new SendMessageRequest { Id = "m1", To = "bob", Payload = "hi" });

        var message = await bob.ReceiveAsync<ChatMessage>();
        Assert.Equal(("m1", DeliveryStates.Delivered, message.MessageId), (status.Id, status.Status, status.MessageId));
        Assert.Equal(("alice", "hi"), (message.From, message.Payload));
    }

    [Fact]
    public async Task Login_FailingBelowMaxLoginAttempts_GetsInvalidCredentialsAndTheSessionStaysOpen()
    {
        await RegisterAsync("alice");
        var piped = Connect();

        // An unknown user and a wrong password are told apart neither in the answer nor in the count.
        var unknown = await RefusedAsync(piped, Login("nobody", id: "1"), ErrorCodes.InvalidCredentials);
        var wrong = await RefusedAsync(piped, Login("alice", "Wr0ng!Password", id: "2"), ErrorCodes.InvalidCredentials);

        Assert.Equal(unknown.Message, wrong.Message);
        Assert.Equal(MaxLoginAttempts - 1, piped.Session.FailedLogins);
        Assert.False(piped.Session.IsClosing);
        Assert.Null(piped.Session.User);
    }

    [Fact]
    public async Task Login_AfterFailuresBelowTheLimit_StillSucceeds()
    {
        await RegisterAsync("alice");
        var piped = Connect();
        for (var i = 1; i < MaxLoginAttempts; i++)
        {
            await RefusedAsync(piped, Login("alice", "Wr0ng!Password", id: $"{i}"), ErrorCodes.InvalidCredentials);
        }

        await RequestAsync<LoginResponse>(piped, Login("alice"));

        Assert.NotNull(piped.Session.User);
    }

    [Fact]
    public async Task Login_FailingMaxLoginAttemptsTimes_ClosesTheSessionWithTooManyAttempts()
    {
        await RegisterAsync("alice");
        var piped = Connect();
        for (var i = 1; i < MaxLoginAttempts; i++)
        {
            await RefusedAsync(piped, Login("alice", "Wr0ng!Password", id: $"{i}"), ErrorCodes.InvalidCredentials);
        }

        await DispatchAsync(piped, Login("nobody", id: "last"));

        Assert.True(piped.Session.IsClosing);
        var error = Assert.IsType<ErrorReply>(Assert.Single(await piped.ReadToEndAsync()));
        Assert.Equal(ErrorCodes.TooManyAttempts, error.Code);
        Assert.Contains($"{MaxLoginAttempts}", error.Message, StringComparison.Ordinal);
        Assert.True(piped.Session.Closing.IsCancellationRequested);

        // The closed session cannot log in any more.
        await DispatchAsync(piped, Login("alice", id: "too-late"));
        Assert.Null(piped.Session.User);
    }

    [Fact]
    public async Task Login_WhenTheSessionClosesWhileThePasswordIsChecked_DoesNotBringTheUserOnline()
    {
        var bob = await LoggedInAsync("bob");
        await RegisterAsync("alice");
        var alice = Connect();
        alice.Session.StartLoginDeadline(TimeSpan.FromSeconds(30), new ProtocolError(ErrorCodes.LoginTimeout, "No login in time."));

        // Hold the hasher's only slot, so the login waits inside its password check.
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = _hasher.RunBoundedAsync(() => { entered.Set(); return release.Wait(PipedSession.Timeout); }, CancellationToken.None);
        Assert.True(entered.Wait(PipedSession.Timeout));
        var login = DispatchAsync(alice, Login("alice")).AsTask();
        Assert.False(login.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(30));
        release.Set();
        await login.WaitAsync(PipedSession.Timeout);
        Assert.True(await holder.WaitAsync(PipedSession.Timeout));

        Assert.Null(alice.Session.User);
        Assert.False(_registry.TryFind("alice", out _));
        Assert.Equal(1, _pool.InUse);
        Assert.Equal(ErrorCodes.LoginTimeout, Assert.IsType<ErrorReply>(Assert.Single(await alice.ReadToEndAsync())).Code);
        Assert.Empty(await bob.DrainAsync());
    }

    [Fact]
    public async Task Login_WhenTheAddressPoolIsFull_IsRefusedAndTheSessionStaysLoggedOut()
    {
        await LoggedInAsync("alice");
        await LoggedInAsync("bob");
        await RegisterAsync("carol");
        var carol = Connect();

        await RefusedAsync(carol, Login("carol"), ErrorCodes.AddressPoolExhausted);

        Assert.Null(carol.Session.User);
        Assert.False(_registry.TryFind("carol", out _));
        await RefusedAsync(carol, new OnlineUsersRequest { Id = "u1" }, ErrorCodes.NotAuthenticated);
    }
}
