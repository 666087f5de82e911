using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;

namespace Parley.IntegrationTests;

public sealed class AccountTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o => o.MaxLoginAttempts = 3);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Login_IsLoggedWithTheConnectionsIdAndRemoteEndPoint()
    {
        var (connection, name) = await _server.NewUserAsync("scoped");
        await using (connection)
        {
            var loggedIn = Assert.Single(_server.LogEvents, e =>
                e.MessageTemplate.Text.Contains("logged in", StringComparison.Ordinal) && e.Properties["User"].ToString() == $"\"{name}\"");

            Assert.False(string.IsNullOrEmpty(loggedIn.Properties["ConnectionId"].ToString().Trim('"')));
            Assert.StartsWith("\"127.0.0.1:", loggedIn.Properties["RemoteEndPoint"].ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Register_NewUser_ReturnsIdAndThisServerAsHome()
    {
        await using var connection = await _server.ConnectAsync();
        var name = TestServer.NewUsername("reg");

        var response = await connection.RegisterAsync(name, TestServer.Password);

        Assert.Equal(name, response.Username);
        Assert.True(Guid.TryParse(response.UserId, out _));
        Assert.Equal(connection.Server.ServerId, response.ServerId);
    }

    [Fact]
    public async Task Register_TakenUsernameInOtherCase_IsRefusedWithUsernameTaken()
    {
        await using var connection = await _server.ConnectAsync();
        var name = TestServer.NewUsername("dup");
        await connection.RegisterAsync(name, TestServer.Password);

        var refusal = await Assert.ThrowsAsync<ParleyServerException>(() => connection.RegisterAsync(name.ToUpperInvariant(), TestServer.Password));

        Assert.Equal(ErrorCodes.UsernameTaken, refusal.Code);
    }

    [Theory]
    [InlineData("Sh0rt!x", ErrorCodes.WeakPassword)]
    [InlineData("password", ErrorCodes.WeakPassword)]
    [InlineData("P@ssw0rd", ErrorCodes.WeakPassword)]
    public async Task Register_WeakPassword_IsRefusedWithWeakPassword(string password, string code)
    {
        await using var connection = await _server.ConnectAsync();

        var refusal = await Assert.ThrowsAsync<ParleyServerException>(() => connection.RegisterAsync(TestServer.NewUsername("weak"), password));

        Assert.Equal(code, refusal.Code);
        Assert.DoesNotContain(password, refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("has space")]
    [InlineData("emoji😀name")]
    [InlineData("waytoolongusername_waytoolongusername")]
    public async Task Register_InvalidUsername_IsRefusedWithInvalidUsername(string username)
    {
        await using var connection = await _server.ConnectAsync();

        var refusal = await Assert.ThrowsAsync<ParleyServerException>(() => connection.RegisterAsync(username, TestServer.Password));

        Assert.Equal(ErrorCodes.InvalidUsername, refusal.Code);
    }

    [Fact]
    public async Task Login_WithWrongPassword_And_UnknownUser_GetTheSameAnswer()
    {
        var (alice, name) = await _server.NewUserAsync("wrong");
        await alice.DisposeAsync();
        await using var connection = await _server.ConnectAsync();

        var wrongPassword = await Assert.ThrowsAsync<ParleyServerException>(() => connection.LoginAsync(name, "Not-The-Password-1"));
        var unknownUser = await Assert.ThrowsAsync<ParleyServerException>(() => connection.LoginAsync("nobody_" + name, TestServer.Password));

        Assert.Equal(ErrorCodes.InvalidCredentials, wrongPassword.Code);
        Assert.Equal(wrongPassword.Code, unknownUser.Code);
        Assert.Equal(wrongPassword.Message, unknownUser.Message);
    }

    [Fact]
    public async Task Login_WithUsernameInOtherCase_Succeeds()
    {
        var (first, name) = await _server.NewUserAsync("Case");
        await using var _ = first;
        await using var connection = await _server.ConnectAsync();

        var session = await connection.LoginAsync(name.ToLowerInvariant(), TestServer.Password);

        Assert.Equal(name, session.Username);
    }

    [Fact]
    public async Task Login_GivesVirtualIpFromPoolAndServerIdentity()
    {
        var (connection, _) = await _server.NewUserAsync("vip");
        await using var _c = connection;

        var session = connection.Session!;

        Assert.StartsWith("10.8.", session.VirtualIp, StringComparison.Ordinal);
        Assert.NotEqual("10.8.0.1", session.VirtualIp);
        Assert.Equal("test-server", session.ServerName);
        Assert.Equal(connection.Server.ServerId, session.ServerId);
    }

    [Fact]
    public async Task Login_Twice_OnOneConnection_IsRefusedWithAlreadyAuthenticated()
    {
        var (connection, name) = await _server.NewUserAsync("twice");
        await using var _ = connection;

        var refusal = await Assert.ThrowsAsync<ParleyServerException>(() => connection.LoginAsync(name, TestServer.Password));

        Assert.Equal(ErrorCodes.AlreadyAuthenticated, refusal.Code);
    }

    [Fact]
    public async Task Login_FailingTooOften_ClosesConnectionWithTooManyAttempts()
    {
        await using var connection = await _server.ConnectAsync();
        for (var i = 0; i < 2; i++)
        {
            var refusal = await Assert.ThrowsAsync<ParleyServerException>(() => connection.LoginAsync("ghost_user", "Wrong-Pass-123"));
            Assert.Equal(ErrorCodes.InvalidCredentials, refusal.Code);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => connection.LoginAsync("ghost_user", "Wrong-Pass-123"));
        var closed = await connection.ClosedAsync();

        Assert.Equal(ErrorCodes.TooManyAttempts, closed.ErrorCode);
    }

    [Theory]
    [InlineData("""{"type":"online_user_request","id":"1"}""")]
    [InlineData("""{"type":"message","id":"1","to":"anyone","payload":"hi"}""")]
    public async Task Requests_BeforeLogin_AreRefusedWithNotAuthenticated(string json)
    {
        await using var connection = await _server.ConnectAsync();

        var reply = await connection.RequestRawAsync("1", System.Text.Encoding.UTF8.GetBytes(json), Timeouts.Token());

        var error = Assert.IsType<Parley.Protocol.Messages.ErrorReply>(reply);
        Assert.Equal(ErrorCodes.NotAuthenticated, error.Code);
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneName_CreateExactlyOneAccount()
    {
        var name = TestServer.NewUsername("race");
        var connections = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _server.ConnectAsync()));
        try
        {
            var results = await Task.WhenAll(connections.Select(async c =>
            {
                try
                {
                    await c.RegisterAsync(name, TestServer.Password);
                    return "created";
                }
                catch (ParleyServerException ex)
                {
                    return ex.Code;
                }
            }));

            Assert.Single(results, r => r == "created");
            Assert.All(results.Where(r => r != "created"), r => Assert.Equal(ErrorCodes.UsernameTaken, r));
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
