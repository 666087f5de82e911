using System.Net.Sockets;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests;

/// <summary>The listener: handshakes off the accept loop and within their limit, a clear refusal of a taken port, a prompt stop.</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task TcpClient_ThatNeverStartsTls_IsClosedAtTheHandshakeLimit()
    {
        await using var server = await TestServer.StartAsync(o => o.HandshakeTimeoutSeconds = 1);
        using var idle = new TcpClient();
        await idle.ConnectAsync("127.0.0.1", server.Port);

        Assert.True(await ClosedByServerAsync(idle));
        Assert.Contains(server.LogEvents, e => e.MessageTemplate.Text.StartsWith("TLS handshake failed", StringComparison.Ordinal)
            && e.RenderMessage().Contains("within 1 seconds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondServer_OnATakenPort_RefusesToStart_WithTheAddressInTheError()
    {
        await using var first = await TestServer.StartAsync();

        var error = await Assert.ThrowsAsync<IOException>(() => TestServer.StartAsync(o => o.Port = first.Port));

        Assert.Contains($"Cannot listen on 127.0.0.1:{first.Port}", error.Message, StringComparison.Ordinal);
        await (await first.ConnectAsync()).DisposeAsync(); // the first server is unaffected
    }

    [Fact]
    public async Task Stop_TellsConnectedClientsServerShutdown_AndClosesThem()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await RawClient.ConnectAsync(server);

        var stopping = server.Server.StopAsync();

        Assert.Equal(ErrorCodes.ServerShutdown, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
        await stopping.WaitAsync(Timeouts.Default);
    }

    [Fact]
    public async Task Stop_DoesNotWaitForAHandshakeThatNeverStarts()
    {
        // With a 5-minute handshake limit, a stop that waited for this socket would outlast the test's wait.
        await using var server = await TestServer.StartAsync(o => (o.HandshakeTimeoutSeconds, o.LoginTimeoutSeconds) = (300, 300));
        using var idle = new TcpClient();
        await idle.ConnectAsync("127.0.0.1", server.Port);
        await (await server.ConnectAsync()).DisposeAsync(); // the idle socket has been accepted by the time a later one is served

        await server.Server.StopAsync().WaitAsync(Timeouts.Default);

        Assert.True(await ClosedByServerAsync(idle));
    }

    private static async Task<bool> ClosedByServerAsync(TcpClient client)
    {
        var buffer = new byte[1];
        try
        {
            return await client.GetStream().ReadAsync(buffer, Timeouts.Token()) == 0;
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            return true; // a reset is a close too
        }
    }
}
