using System.Security.Authentication;
using System.Net.Security;
using System.Buffers.Binary;
using System.Net.Sockets;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests;

/// <summary>Bad input gets a stable error code, a close where the stream can no longer be trusted, and nobody else notices.</summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o => (o.MaxFrameBytes, o.MaxTextBytes) = (64 * 1024, 16 * 1024));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"type":"teleport","id":"7"}""", ErrorCodes.UnknownType)]
    [InlineData("""{"id":"7","username":"x"}""", ErrorCodes.MissingField)]
    [InlineData("""{"type":"LOGIN","id":"7","username":"someone"}""", ErrorCodes.MissingField)]
    [InlineData("""{"type":"LOGIN","id":"7","username":42,"password":"x"}""", ErrorCodes.InvalidField)]
    [InlineData("""not json at all""", ErrorCodes.BadMessage)]
    [InlineData("""[1,2,3]""", ErrorCodes.BadMessage)]
    public async Task MalformedMessage_GetsItsErrorCode_AndTheConnectionStaysOpen(string json, string code)
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendAsync(json);
        var error = Assert.IsType<ErrorReply>(await client.ReceiveAsync());
        await client.SendAsync("""{"type":"ping","id":"after"}""");
        var pong = Assert.IsType<PongReply>(await client.ReceiveAsync());

        Assert.Equal(code, error.Code);
        Assert.Equal("after", pong.Id);
    }

    [Fact]
    public async Task UnknownType_EchoesTheRequestId()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.SendAsync("""{"type":"teleport","id":"req-42"}""");

        Assert.Equal("req-42", Assert.IsType<ErrorReply>(await client.ReceiveAsync()).Id);
    }

    [Fact]
    public async Task ZeroLengthFrame_GetsBadFrame_AndTheConnectionIsClosed()
    {
        await using var client = await RawClient.ConnectAsync(_server);

        await client.WriteBytesAsync([0, 0, 0, 0]);

        Assert.Equal(ErrorCodes.BadFrame, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task OversizedLength_GetsTooLargeBeforeAnyBody_AndTheConnectionIsClosed()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 0x7FFF_FFFF);

        await client.WriteBytesAsync(prefix);

        var error = await client.ReceiveErrorAsync();
        Assert.Equal(ErrorCodes.TooLarge, error?.Code);
        Assert.Contains("MaxFrameBytes", error!.Message, StringComparison.Ordinal);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task FrameThatIsNotSealed_GetsDecryptFailed_AndTheConnectionIsClosed()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        var plain = System.Text.Encoding.UTF8.GetBytes("""{"type":"ping","id":"1","padding":"................"}""");
        var frame = new byte[4 + plain.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)plain.Length);
        plain.CopyTo(frame, 4);

        await client.WriteBytesAsync(frame);

        Assert.Equal(ErrorCodes.DecryptFailed, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task ReplayedFrame_GetsDecryptFailed_AndTheConnectionIsClosed()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        var ping = client.Seal("""{"type":"ping","id":"once"}""");

        await client.WriteBytesAsync(ping);
        Assert.IsType<PongReply>(await client.ReceiveAsync());
        await client.WriteBytesAsync(ping);

        Assert.Equal(ErrorCodes.DecryptFailed, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task ReorderedFrames_GetDecryptFailed()
    {
        await using var client = await RawClient.ConnectAsync(_server);
        var first = client.Seal("""{"type":"ping","id":"1"}""");
        var second = client.Seal("""{"type":"ping","id":"2"}""");

        await client.WriteBytesAsync(second);

        Assert.Equal(ErrorCodes.DecryptFailed, (await client.ReceiveErrorAsync())?.Code);
        Assert.NotEmpty(first);
    }

    [Fact]
    public async Task AesKeyThatDoesNotDecrypt_GetsHandshakeFailed()
    {
        await using var client = await RawClient.ConnectTlsAsync(_server);
        using (await client.Input.ReadAsync(Timeouts.Token()))
        {
        }

        var answer = System.Text.Encoding.UTF8.GetBytes("""{"type":"aes_key","key":"AAAA"}""");
        Parley.Protocol.Framing.FrameWriter.Write(client.Output, answer);
        await client.Output.FlushAsync();

        Assert.Equal(ErrorCodes.HandshakeFailed, (await client.ReceiveErrorAsync())?.Code);
        Assert.True(await client.ServerClosedAsync());
    }

    [Fact]
    public async Task TlsClient_WithoutAlpn_GetsNoKeyExchange_AndIsClosed()
    {
        await using var client = await RawClient.ConnectTlsAsync(_server, offerAlpn: false);

        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task TlsClient_OfferingOnlyACbcSuite_GetsNoKeyExchange_AndIsRefusedInTheLog()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // a client cannot pick its cipher suites there
        }

        var cbcOnly = new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256]);
        await using var client = await RawClient.ConnectTlsAsync(_server, protocols: SslProtocols.Tls12, cipherSuites: cbcOnly);

        Assert.Null(await client.ReceiveAsync());
        Assert.Contains(_server.LogEvents, e =>
            e.RenderMessage().Contains(ErrorCodes.HandshakeFailed, StringComparison.Ordinal)
            && e.RenderMessage().Contains(nameof(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TlsClient_OnTls12_NegotiatesAnAeadSuite_AndGetsTheKeyExchange()
    {
        await using var client = await RawClient.ConnectTlsAsync(_server, protocols: SslProtocols.Tls12);

        Assert.IsType<KeyExchangeMessage>(await client.ReceiveAsync());
        Assert.Contains("GCM", client.NegotiatedCipherSuite.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleSocket_ThatNeverStartsTls_DoesNotBlockOthers()
    {
        using var idle = new TcpClient();
        await idle.ConnectAsync("127.0.0.1", _server.Port);

        var (alice, _) = await _server.NewUserAsync("alice");
        await using var _a = alice;

        Assert.NotNull(alice.Session);
    }

    [Fact]
    public async Task HostileClients_DoNotDisturbOthers()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        for (var i = 0; i < 5; i++)
        {
            await using var hostile = await RawClient.ConnectAsync(_server);
            await hostile.WriteBytesAsync([0, 0, 0, 0]);
            await hostile.ServerClosedAsync();
        }

        var status = await alice.SendMessageAsync(bobName, "undisturbed");
        Assert.Equal(DeliveryStates.Delivered, status.Status);
        Assert.Equal("undisturbed", (await bob.NextAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task ConcurrentLogins_AllSucceed_AndEveryoneCanMessageEveryone()
    {
        const int Users = 20;
        var names = Enumerable.Range(0, Users).Select(_ => TestServer.NewUsername("crowd")).ToArray();
        var connections = await Task.WhenAll(names.Select(async name =>
        {
            var c = await _server.ConnectAsync();
            await c.RegisterAsync(name, TestServer.Password);
            await c.LoginAsync(name, TestServer.Password);
            return c;
        }));
        try
        {
            var statuses = await Task.WhenAll(connections.Select((c, i) => c.SendMessageAsync(names[(i + 1) % Users], $"from {names[i]}")));
            var received = await Task.WhenAll(connections.Select(c => c.NextAsync<ChatMessage>()));

            Assert.All(statuses, s => Assert.Equal(DeliveryStates.Delivered, s.Status));
            for (var i = 0; i < Users; i++)
            {
                Assert.Equal($"from {names[(i + Users - 1) % Users]}", received[i].Payload);
            }
        }
        finally
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
        }
    }
}
