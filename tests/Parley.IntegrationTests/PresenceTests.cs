using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests;

public sealed class PresenceTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OnlineList_ShowsEveryOnlineUserWithVirtualIpAndServer()
    {
        var (alice, aliceName) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        var users = await alice.GetOnlineUsersAsync();

        var aliceEntry = Assert.Single(users, u => u.Username == aliceName);
        var bobEntry = Assert.Single(users, u => u.Username == bobName);
        Assert.Equal(alice.Session!.VirtualIp, aliceEntry.VirtualIp);
        Assert.Equal(bob.Session!.VirtualIp, bobEntry.VirtualIp);
        Assert.NotEqual(aliceEntry.VirtualIp, bobEntry.VirtualIp);
        Assert.Equal(bob.Session.UserId, bobEntry.UserId);
        Assert.Equal(alice.Server.ServerId, bobEntry.ServerId);
    }

    [Fact]
    public async Task Login_PushesOnlineStatusToOthers()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        await using var _a = alice;

        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _b = bob;
        var online = await alice.NextAsync<UserStatusEvent>(e => e.Username == bobName);

        Assert.Equal(PresenceStates.Online, online.Status);
        Assert.Equal(bob.Session!.VirtualIp, online.VirtualIp);
        Assert.Equal(bob.Session.UserId, online.UserId);
    }

    [Fact]
    public async Task SecondSession_SharesTheVirtualIp_AndOnlyTheLastSessionEndingMakesTheUserOffline()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        await using var _a = alice;
        var (bobPhone, bobName) = await _server.NewUserAsync("bob");
        await alice.NextAsync<UserStatusEvent>(e => e.Username == bobName && e.Status == PresenceStates.Online);
        var bobLaptop = await _server.LoginAsync(bobName);

        Assert.Equal(bobPhone.Session!.VirtualIp, bobLaptop.Session!.VirtualIp);

        await bobPhone.DisposeAsync();
        var users = await alice.GetOnlineUsersAsync();
        Assert.Contains(users, u => u.Username == bobName);

        await bobLaptop.DisposeAsync();
        var offline = await alice.NextAsync<UserStatusEvent>(e => e.Username == bobName);
        Assert.Equal(PresenceStates.Offline, offline.Status);
        Assert.DoesNotContain(await alice.GetOnlineUsersAsync(), u => u.Username == bobName);
    }

    [Fact]
    public async Task VirtualIp_IsReleasedWhenTheUserGoesOffline_AndAFullPoolRefusesLogin()
    {
        await using var small = await TestServer.StartAsync(o => (o.VirtualIpFirst, o.VirtualIpLast) = ("10.8.0.2", "10.8.0.3"));
        var (watcher, _) = await small.NewUserAsync("watch");
        await using var _w = watcher;
        var (leaving, leavingName) = await small.NewUserAsync("leave");
        var freed = leaving.Session!.VirtualIp;
        var name = TestServer.NewUsername("next");
        await using var next = await small.ConnectAsync();
        await next.RegisterAsync(name, TestServer.Password);

        var full = await Assert.ThrowsAsync<Parley.Client.ParleyServerException>(() => next.LoginAsync(name, TestServer.Password));
        await leaving.DisposeAsync();
        await watcher.NextAsync<UserStatusEvent>(e => e.Username == leavingName && e.Status == PresenceStates.Offline);
        var session = await next.LoginAsync(name, TestServer.Password);

        Assert.Equal(Parley.Protocol.ErrorCodes.AddressPoolExhausted, full.Code);
        Assert.Equal(freed, session.VirtualIp);
    }
}
