using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Accounts;
using Parley.Server.Sessions;
using Parley.Server.Storage;

namespace Parley.Server.Tests.Sessions;

public sealed class SessionRegistryTests : IDisposable
{
    private readonly List<Session> _sessions = [];
    private VirtualIpPool _pool;

    public SessionRegistryTests()
    {
        _pool = new VirtualIpPool(IPAddress.Parse("10.8.0.2"), IPAddress.Parse("10.8.0.254"));
        Registry = new SessionRegistry(_pool);
    }

    // Created before any test thread starts: a lazily created registry would itself race in the concurrent tests.
    private SessionRegistry Registry { get; set; }

    private void UseSingleAddressPool()
    {
        _pool = new VirtualIpPool(IPAddress.Parse("10.8.0.2"), IPAddress.Parse("10.8.0.2"));
        Registry = new SessionRegistry(_pool);
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }

    private Session NewSession()
    {
        lock (_sessions)
        {
            var session = new Session($"c{_sessions.Count}", null, 16, () => { }, NullLogger.Instance, TimeProvider.System);
            _sessions.Add(session);
            return session;
        }
    }

    private Session Online(UserRecord user)
    {
        var session = NewSession();
        Registry.Track(session);
        Assert.NotNull(Registry.Attach(session, user));
        return session;
    }

    [Fact]
    public void Attach_FirstSessionOfAUser_GetsTheLowestFreeVirtualIpAndFirstSessionTrue()
    {
        var alice = TestUsers.Create("alice");
        var session = NewSession();

        var attached = Registry.Attach(session, alice);

        Assert.NotNull(attached);
        Assert.True(attached.FirstSession);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), attached.State.VirtualIp);
        Assert.Equal("10.8.0.2", attached.State.Entry.VirtualIp);
        Assert.Same(alice, attached.State.User);
        Assert.Equal([session], attached.State.Sessions.ToArray());
        Assert.Same(alice, session.User);
        Assert.Same(attached.State, session.Presence);
        Assert.Equal(1, Registry.OnlineCount);
        Assert.Equal(1, _pool.InUse);
    }

    [Fact]
    public void Attach_SecondSessionOfTheSameUser_SharesTheVirtualIpWithFirstSessionFalse()
    {
        var alice = TestUsers.Create("alice");
        var first = Registry.Attach(NewSession(), alice)!;
        var second = NewSession();

        var attached = Registry.Attach(second, alice);

        Assert.NotNull(attached);
        Assert.False(attached.FirstSession);
        Assert.Same(first.State, attached.State);
        Assert.Equal(2, attached.State.Sessions.Length);
        Assert.Same(first.State, second.Presence);
        Assert.Equal(1, Registry.OnlineCount);
        Assert.Equal(1, _pool.InUse);
    }

    [Fact]
    public void Attach_DifferentUsers_GetDifferentVirtualIps()
    {
        var alice = Registry.Attach(NewSession(), TestUsers.Create("alice"))!;
        var bob = Registry.Attach(NewSession(), TestUsers.Create("bob"))!;

        Assert.True(bob.FirstSession);
        Assert.Equal(IPAddress.Parse("10.8.0.3"), bob.State.VirtualIp);
        Assert.NotEqual(alice.State.VirtualIp, bob.State.VirtualIp);
        Assert.Equal(2, Registry.OnlineCount);
    }

    [Fact]
    public void Detach_OneOfTwoSessions_ReturnsNullAndKeepsTheUserOnline()
    {
        var alice = TestUsers.Create("alice");
        var first = Online(alice);
        var second = Online(alice);

        Assert.Null(Registry.Detach(first));

        Assert.True(Registry.TryFind("alice", out var state));
        Assert.Equal([second], state.Sessions.ToArray());
        Assert.Equal(1, _pool.InUse);
        Assert.DoesNotContain(first, Registry.AllSessions);
        Assert.Contains(second, Registry.AllSessions);
    }

    [Fact]
    public void Detach_LastSession_ReturnsTheStateAndReleasesTheVirtualIp()
    {
        var alice = TestUsers.Create("alice");
        var first = Online(alice);
        var second = Online(alice);
        Registry.Detach(first);

        var offline = Registry.Detach(second);

        Assert.NotNull(offline);
        Assert.Same(alice, offline.User);
        Assert.Empty(offline.Sessions.ToArray());
        Assert.False(Registry.TryFind("alice", out _));
        Assert.False(Registry.TryFind(alice.Id.ToString(), out _));
        Assert.Equal(0, Registry.OnlineCount);
        Assert.Equal(0, _pool.InUse);
        Assert.Empty(Registry.AllSessions);

        // The address is free again: the next user gets it.
        Assert.Equal(offline.VirtualIp, Registry.Attach(NewSession(), TestUsers.Create("bob"))!.State.VirtualIp);
    }

    [Fact]
    public void Detach_SessionThatNeverLoggedIn_ReturnsNullAndForgetsIt()
    {
        Online(TestUsers.Create("alice"));
        var anonymous = NewSession();
        Registry.Track(anonymous);

        Assert.Null(Registry.Detach(anonymous));

        Assert.DoesNotContain(anonymous, Registry.AllSessions);
        Assert.Equal(1, Registry.OnlineCount);
        Assert.Equal(1, _pool.InUse);
    }

    [Fact]
    public void Track_AddsSessionsThatHaveNotLoggedIn()
    {
        var session = NewSession();

        Registry.Track(session);

        Assert.Equal([session], Registry.AllSessions);
        Assert.Equal(0, Registry.OnlineCount);
    }

    [Fact]
    public async Task CloseAll_ClosesTrackedSessions_AndEveryOneTrackedAfterIt()
    {
        var error = new ProtocolError(ErrorCodes.ServerShutdown, "Stopping.");
        await using var before = new PipedSession().StartWriter();
        await using var after = new PipedSession().StartWriter();
        Registry.Track(before.Session);

        Registry.CloseAll(error);
        Registry.Track(after.Session);

        foreach (var piped in new[] { before, after })
        {
            var frames = await piped.ReadToEndAsync();
            Assert.Equal(ErrorCodes.ServerShutdown, Assert.IsType<ErrorReply>(Assert.Single(frames)).Code);
            Assert.True(piped.Session.IsClosing);
        }
    }

    [Fact]
    public void TryFind_ById_FindsTheOnlineUser()
    {
        var alice = TestUsers.Create("alice");
        Online(alice);
        Online(TestUsers.Create("bob"));

        Assert.True(Registry.TryFind(alice.Id.ToString(), out var state));
        Assert.Same(alice, state.User);
    }

    [Theory]
    [InlineData("Alice.Smith")]
    [InlineData("alice.smith")]
    [InlineData("ALICE.SMITH")]
    public void TryFind_ByUsernameInAnyCase_FindsTheOnlineUser(string asked)
    {
        var alice = TestUsers.Create("Alice.Smith");
        Online(alice);

        Assert.True(Registry.TryFind(asked, out var state));
        Assert.Same(alice, state.User);
    }

    [Fact]
    public void TryFind_ByAUsernameOf32HexDigits_FindsTheUserByName()
    {
        // A valid username that Guid.TryParse would also read as an id (its 32-digit "N" form).
        const string HexName = "0123456789abcdef0123456789ABCDEF";
        Assert.True(UsernameRules.TryValidate(HexName, out _));
        var hex = TestUsers.Create(HexName);
        Online(hex);

        Assert.True(Registry.TryFind(HexName, out var state));
        Assert.Same(hex, state.User);
        Assert.True(Registry.TryFind(HexName.ToLowerInvariant(), out _));
        Assert.True(Registry.TryFind(hex.Id.ToString(), out _));
    }

    [Fact]
    public void TryFind_ByTheIdInUpperCase_FindsTheOnlineUser()
    {
        var alice = TestUsers.Create("alice");
        Online(alice);

        Assert.True(Registry.TryFind(alice.Id.ToString().ToUpperInvariant(), out var state));
        Assert.Same(alice, state.User);
    }

    [Fact]
    public void TryFind_UnknownNameOrId_ReturnsFalse()
    {
        Online(TestUsers.Create("alice"));

        Assert.False(Registry.TryFind("alicia", out _));
        Assert.False(Registry.TryFind(Guid.CreateVersion7().ToString(), out _));
    }

    [Fact]
    public void Attach_WhenThePoolIsFull_ReturnsNullWithoutRegisteringTheUser()
    {
        UseSingleAddressPool();
        var alice = TestUsers.Create("alice");
        Online(alice);
        var bob = TestUsers.Create("bob");
        var refused = NewSession();

        Assert.Null(Registry.Attach(refused, bob));

        Assert.Null(refused.User);
        Assert.Null(refused.Presence);
        Assert.False(Registry.TryFind("bob", out _));
        Assert.False(Registry.TryFind(bob.Id.ToString(), out _));
        Assert.Equal(["alice"], Registry.OnlineUsers.Select(u => u.User.Username));
        Assert.Equal(1, _pool.InUse);

        // Detaching the refused session changes nothing; an online user's next session needs no address.
        Assert.Null(Registry.Detach(refused));
        Assert.False(Registry.Attach(NewSession(), alice)!.FirstSession);
    }

    [Fact]
    public void Attach_AfterAFullPoolFreesUp_Succeeds()
    {
        UseSingleAddressPool();
        var alice = Online(TestUsers.Create("alice"));
        var bob = TestUsers.Create("bob");
        Assert.Null(Registry.Attach(NewSession(), bob));

        Registry.Detach(alice);
        var attached = Registry.Attach(NewSession(), bob);

        Assert.NotNull(attached);
        Assert.True(attached.FirstSession);
        Assert.True(Registry.TryFind("bob", out _));
    }

    [Fact]
    public async Task AttachAndDetach_ManySessionsConcurrently_LeaveOnlyTheUsersWithSessionsOnline()
    {
        const int Users = 40;
        const int SessionsEach = 4;
        var users = Enumerable.Range(0, Users).Select(i => TestUsers.Create($"user{i:D2}")).ToArray();
        var sessions = users.SelectMany(u => Enumerable.Range(0, SessionsEach).Select(_ => (User: u, Session: NewSession()))).ToArray();

        var firsts = await Task.WhenAll(sessions.Select(s => Task.Run(() =>
        {
            Registry.Track(s.Session);
            return Registry.Attach(s.Session, s.User)!.FirstSession;
        }))).WaitAsync(PipedSession.Timeout);

        // Even users lose every session, odd users all but their first.
        var leaving = sessions.Where((s, i) => Array.IndexOf(users, s.User) % 2 == 0 || i % SessionsEach != 0).ToArray();
        var wentOffline = await Task.WhenAll(leaving.Select(s => Task.Run(() => Registry.Detach(s.Session)))).WaitAsync(PipedSession.Timeout);

        Assert.Equal(Users, firsts.Count(first => first));
        var offline = wentOffline.OfType<OnlineUserState>().Select(s => s.User.Username).ToArray();
        Assert.Equal(users.Where((_, i) => i % 2 == 0).Select(u => u.Username).Order(), offline.Order());
        Assert.Equal(Users / 2, Registry.OnlineCount);
        Assert.Equal(Registry.OnlineCount, _pool.InUse);
        Assert.Equal(Users / 2, Registry.AllSessions.Count);
        Assert.All(Registry.OnlineUsers, u => Assert.Single(u.Sessions.ToArray()));
        Assert.Equal(Users / 2, Registry.OnlineUsers.Select(u => u.VirtualIp).Distinct().Count());
    }

    [Fact]
    public async Task AttachThenDetach_RacingForTheSameUsers_EndsWithNobodyOnlineAndEveryAddressFree()
    {
        const int Users = 10;
        const int Rounds = 200;
        var users = Enumerable.Range(0, Users).Select(i => TestUsers.Create($"user{i}")).ToArray();
        var online = new int[Users];
        var offline = new int[Users];

        // Two workers per user, so a user's sessions come and go while the other one's are attached.
        await Task.WhenAll(Enumerable.Range(0, Users * 2).Select(worker => Task.Run(() =>
        {
            var index = worker % Users;
            for (var round = 0; round < Rounds; round++)
            {
                var session = NewSession();
                Registry.Track(session);
                if (Registry.Attach(session, users[index])!.FirstSession)
                {
                    Interlocked.Increment(ref online[index]);
                }

                if (Registry.Detach(session) is not null)
                {
                    Interlocked.Increment(ref offline[index]);
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, Registry.OnlineCount);
        Assert.Equal(0, _pool.InUse);
        Assert.Empty(Registry.AllSessions);
        Assert.Equal(online, offline);
        Assert.All(online, count => Assert.InRange(count, 1, Rounds * 2));
    }
}
