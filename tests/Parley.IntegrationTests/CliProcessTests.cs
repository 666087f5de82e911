using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>The `parley` command as people and scripts use it: separate processes against a real server.</summary>
public sealed class CliProcessTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _home = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _home = Path.Combine(Path.GetTempPath(), "parley-cli-" + Guid.NewGuid().ToString("N"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private string[] Common(string user, params string[] args) =>
        [.. args, "--server", $"127.0.0.1:{_server.Port}", "--user", user, "--fingerprint", _server.Server.CertificateFingerprint];

    [Fact]
    public async Task SendAndListen_AsProcesses_DeliverTheMessage()
    {
        var alice = TestServer.NewUsername("alice");
        var bob = TestServer.NewUsername("bob");
        Assert.Equal(0, (await CliProcess.RunAsync(_home, TestServer.Password, Common(alice, "register"))).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(_home, TestServer.Password, Common(bob, "register"))).ExitCode);

        await using var listen = CliProcess.Start(_home, TestServer.Password, Common(bob, "listen", "--count", "1", "--timeout", "20", "--json"));
        await listen.WaitForOutputAsync("\"ready\"");
        var send = await CliProcess.RunAsync(_home, TestServer.Password, Common(alice, "send", bob, "Hi Bob, from a process", "--json"));
        var listenExit = await listen.WaitForExitAsync();

        Assert.Equal(0, send.ExitCode);
        Assert.Contains("delivered", send.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, listenExit);
        var message = listen.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Single(e => e.GetProperty("event").GetString() == "message");
        Assert.Equal("Hi Bob, from a process", message.GetProperty("text").GetString());
        Assert.Equal(alice, message.GetProperty("from").GetString());
    }

    [Fact]
    public async Task Listen_WhenTheMessagesDoNotArriveInTime_ExitsNonZeroWithOneLineReason()
    {
        var carol = TestServer.NewUsername("carol");
        await CliProcess.RunAsync(_home, TestServer.Password, Common(carol, "register"));

        var (code, _, stderr) = await CliProcess.RunAsync(_home, TestServer.Password, Common(carol, "listen", "--count", "1", "--timeout", "1"));

        Assert.NotEqual(0, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("parley:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_ToUnknownUser_ExitsNonZero()
    {
        var dave = TestServer.NewUsername("dave");
        await CliProcess.RunAsync(_home, TestServer.Password, Common(dave, "register"));

        var (code, _, stderr) = await CliProcess.RunAsync(_home, TestServer.Password, Common(dave, "send", "nobody_at_all", "hello"));

        Assert.NotEqual(0, code);
        Assert.Contains("parley:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_ListsOnlineUsersWithVirtualIp_AsJson()
    {
        var (online, onlineName) = await _server.NewUserAsync("erin");
        await using var _ = online;
        var frank = TestServer.NewUsername("frank");
        await CliProcess.RunAsync(_home, TestServer.Password, Common(frank, "register"));

        var (code, stdout, _) = await CliProcess.RunAsync(_home, TestServer.Password, Common(frank, "users", "--json"));

        Assert.Equal(0, code);
        Assert.Contains(onlineName, stdout, StringComparison.Ordinal);
        Assert.Contains(online.Session!.VirtualIp, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownServer_WithoutPinOrTrustNew_IsRefusedWithTheFingerprint()
    {
        var grace = TestServer.NewUsername("grace");

        var (code, _, stderr) = await CliProcess.RunAsync(_home, TestServer.Password,
            "register", "--server", $"127.0.0.1:{_server.Port}", "--user", grace);

        Assert.NotEqual(0, code);
        Assert.Contains(_server.Server.CertificateFingerprint, stderr, StringComparison.Ordinal);
        Assert.Contains("--trust-new", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustNew_RecordsTheServer_AndLaterRunsNeedNoFlag()
    {
        var heidi = TestServer.NewUsername("heidi");
        var server = $"127.0.0.1:{_server.Port}";

        var first = await CliProcess.RunAsync(_home, TestServer.Password, "register", "--server", server, "--user", heidi, "--trust-new");
        var second = await CliProcess.RunAsync(_home, TestServer.Password, "whoami", "--server", server, "--user", heidi);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains(heidi, second.Stdout, StringComparison.Ordinal);
        Assert.Contains(_server.Server.CertificateFingerprint, await File.ReadAllTextAsync(Path.Combine(_home, "known_servers")), StringComparison.Ordinal);
    }
}
