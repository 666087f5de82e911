using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests;

/// <summary>The architectural limits: slow handshakes, idle unauthenticated connections and slow readers end.</summary>
public sealed class TimeoutTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o =>
    {
        o.HandshakeTimeoutSeconds = 1;
        o.LoginTimeoutSeconds = 2;
        o.OutboundQueueLength = 16;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task KeyExchange_NotAnsweredInTime_GetsHandshakeTimeout()
    {
        await using var client = await RawClient.ConnectTlsAsync(_server);

        var offer = await client.ReceiveAsync();
        var error = await client.ReceiveErrorAsync();

        Assert.IsType<KeyExchangeMessage>(offer);
        Assert.Equal(ErrorCodes.HandshakeTimeout, error?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task Connection_ThatNeverLogsIn_GetsLoginTimeout()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendAsync("""{"type":"ping","id":"1"}""");

        Assert.IsType<PongReply>(await client.ReceiveAsync());
        Assert.Equal(ErrorCodes.LoginTimeout, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task LoggedInConnection_OutlivesTheLoginTimeout()
    {
        var (alice, _) = await _server.NewUserAsync("stay");
        await using var _a = alice;
        await using var idle = await RawClient.ConnectAsync(_server);

        // The idle connection's deadline falls after Alice's: once it fires, hers has passed too.
        Assert.Equal(ErrorCodes.LoginTimeout, (await idle.ReceiveErrorAsync())?.Code);
        await alice.PingAsync();

        Assert.True(alice.IsConnected);
    }

    [Fact]
    public async Task Reader_TooSlowToKeepUp_GetsSlowConsumer_AndOthersAreStillServed()
    {
        var (alice, _) = await _server.NewUserAsync("fast");
        await using var _a = alice;
        var slowName = TestServer.NewUsername("slow");
        await using var slow = await RawClient.ConnectAsync(_server, receiveBufferBytes: 4096);
        await slow.SendAsync($$"""{"type":"REGISTER","id":"r","username":"{{slowName}}","password":"{{TestServer.Password}}"}""");
        await slow.ReceiveAsync();
        await slow.SendAsync($$"""{"type":"LOGIN","id":"l","username":"{{slowName}}","password":"{{TestServer.Password}}"}""");
        Assert.IsType<LoginResponse>(await slow.ReceiveAsync());
        var chunk = new string('z', 60_000);

        // The slow client stops reading. Its socket buffers fill, then its bounded queue overflows.
        string status = DeliveryStates.Delivered;
        for (var sent = 0; sent < 5_000 && status == DeliveryStates.Delivered; sent++)
        {
            status = (await alice.SendMessageAsync(slowName, chunk)).Status;
        }

        Assert.Equal(DeliveryStates.Offline, status);
        Assert.Equal(ErrorCodes.SlowConsumer, (await slow.ReceiveErrorAsync())?.Code);
        await alice.PingAsync();
    }
}
