using System.Text.Json;
using Parley.Cli;
using Parley.Client.Tests.Support;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.Client.Tests;

public sealed class CliTests
{
    private const string Password = "correct horse battery staple";

    [Theory]
    [InlineData("localhost", "localhost", 5001)]
    [InlineData("chat.example:6000", "chat.example", 6000)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1)]
    [InlineData("[::1]:5002", "::1", 5002)]
    [InlineData("[::1]", "::1", 5001)]
    [InlineData("::1", "::1", 5001)]
    [InlineData(" host:65535 ", "host", 65535)]
    public void ServerAddress_ValidHostAndPort_Parses(string text, string host, int port)
    {
        Assert.True(ServerAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(new ServerAddress(host, port), address);
    }

    [Theory]
    [InlineData("host:99999", "is not a port")]
    [InlineData("host:0", "is not a port")]
    [InlineData("host:-1", "is not a port")]
    [InlineData("host:http", "is not a port")]
    [InlineData("host:", "is not a port")]
    [InlineData(":5001", "does not name a host")]
    [InlineData("", "is empty")]
    [InlineData("[::1", "is not HOST:PORT")]
    [InlineData("[::1]x", "is not HOST:PORT")]
    [InlineData("bad host:5001", "does not name a host")]
    public void ServerAddress_Malformed_IsRefusedWithAReason(string text, string reason)
    {
        Assert.False(ServerAddress.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public async Task BadPortInServerOption_IsAUsageErrorOnOneLine()
    {
        using var cli = new CliRunner();

        var result = await cli.RunAsync("whoami", "--server", "localhost:99999", "--user", "alice");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("parley: --server: '99999' is not a port", Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task BadPortInParleyServerVariable_IsAUsageError()
    {
        using var cli = new CliRunner();
        cli.Environment["PARLEY_SERVER"] = "localhost:http";
        cli.Environment["PARLEY_PASSWORD"] = Password;

        var result = await cli.RunAsync("users", "--user", "alice");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("parley: PARLEY_SERVER: 'http' is not a port", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task UnknownCommand_IsAUsageError_AsJsonWithJson()
    {
        using var cli = new CliRunner();

        var result = await cli.RunAsync("frobnicate", "--json");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        using var error = JsonDocument.Parse(Assert.Single(result.StderrLines));
        Assert.Equal("usage", error.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("register")]
    [InlineData("whoami")]
    [InlineData("users")]
    [InlineData("send")]
    [InlineData("listen")]
    [InlineData("chat")]
    public async Task Help_OnEveryCommand_ListsTheCommonOptionsAndExitCodes(string command)
    {
        using var cli = new CliRunner();

        var result = await cli.RunAsync(command, "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (var option in new[] { "--server", "--user", "--fingerprint", "--trust-new", "--json", "EXIT CODES" })
        {
            Assert.Contains(option, result.Stdout);
        }

        Assert.DoesNotContain("\u001b[", result.Stdout);
    }

    [Fact]
    public async Task MissingUser_IsAUsageErrorSayingWhatToPass()
    {
        using var cli = new CliRunner();
        cli.Environment["PARLEY_PASSWORD"] = Password;

        var result = await cli.RunAsync("whoami", "--server", "127.0.0.1:1");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("parley: no user: pass --user NAME or set PARLEY_USER", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task MissingPasswordWithoutTerminal_IsAUsageErrorNotAPrompt()
    {
        using var cli = new CliRunner();

        var result = await cli.RunAsync("whoami", "--server", "127.0.0.1:1", "--user", "alice");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("set PARLEY_PASSWORD", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Whoami_PrintsTheSession_AndSavesServerAndUserButNeverThePassword()
    {
        await using var server = TestServer.Start();
        using var cli = new CliRunner();
        cli.Environment["PARLEY_PASSWORD"] = Password;

        var result = await cli.RunAsync("whoami", "--json", "--server", $"127.0.0.1:{server.Port}", "--user", "alice", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var whoami = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        var root = whoami.RootElement;
        Assert.Equal("whoami", root.GetProperty("event").GetString());
        Assert.Equal("u-alice", root.GetProperty("user_id").GetString());
        Assert.Equal("10.8.0.2", root.GetProperty("virtual_ip").GetString());
        Assert.Equal("Test server", root.GetProperty("server_name").GetString());
        Assert.Equal(server.CertificateFingerprint, root.GetProperty("certificate_fingerprint").GetString());

        var settingsPath = Path.Combine(cli.HomePath, "settings.json");
        var saved = File.ReadAllText(settingsPath);
        Assert.DoesNotContain(Password, saved);
        Assert.DoesNotContain("password", saved, StringComparison.OrdinalIgnoreCase);
        using var settings = JsonDocument.Parse(saved);
        Assert.Equal(["server", "user"], settings.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"127.0.0.1:{server.Port}", settings.RootElement.GetProperty("server").GetString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settingsPath));
        }

        foreach (var file in Directory.GetFiles(cli.HomePath))
        {
            Assert.DoesNotContain(Password, File.ReadAllText(file));
        }
    }

    [Fact]
    public async Task SavedSettings_SupplyServerAndUserToTheNextCommand()
    {
        await using var server = TestServer.Start();
        using var cli = new CliRunner();
        cli.Environment["PARLEY_PASSWORD"] = Password;
        var pin = server.CertificateFingerprint;
        Assert.Equal(0, (await cli.RunAsync("register", "--server", $"127.0.0.1:{server.Port}", "--user", "dana", "--fingerprint", pin)).ExitCode);

        var result = await cli.RunAsync("whoami", "--json", "--fingerprint", pin);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\"username\":\"dana\"", result.Stdout);
    }

    [Fact]
    public async Task Register_PrintsTheNewAccount()
    {
        await using var server = TestServer.Start();
        using var cli = new CliRunner();
        cli.Environment["PARLEY_PASSWORD"] = Password;

        var result = await cli.RunAsync("register", "--server", $"127.0.0.1:{server.Port}", "--user", "erin", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal($"Registered erin (user id u-erin) on 127.0.0.1:{server.Port} (srv-1).", Assert.Single(result.StdoutLines));
        var register = await (await server.NextSessionAsync()).NextMessageAsync<RegisterRequest>();
        Assert.Equal(Password, register.Password);
    }

    [Fact]
    public async Task Send_PrintsTheDeliveryStatusAsJson()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunAsync("send", "bob", "hello bob", "--json", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("""{"event":"delivery_status","to":"bob","to_id":"u-bob","status":"delivered","message_id":"m-2"}""", Assert.Single(result.StdoutLines));
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Send_ToAnUnknownUser_ExitsNonZeroWithOneLine()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunAsync("send", "nobody", "hello?", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"parley: no user named 'nobody' on 127.0.0.1:{server.Port}", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task WrongPassword_FailsWithTheServersReasonOnOneLine()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);
        cli.Environment["PARLEY_PASSWORD"] = "wrong";

        var result = await cli.RunAsync("users", "--json", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        using var error = JsonDocument.Parse(Assert.Single(result.StderrLines));
        Assert.Equal(ErrorCodes.InvalidCredentials, error.RootElement.GetProperty("error").GetString());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Users_RedirectedTextOutput_IsAPlainTableWithoutMarkup()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunAsync("users", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["USERNAME  VIRTUAL IP  SERVER  USER ID", "alice     10.8.0.2    srv-1   u-alice"], result.StdoutLines);
    }

    [Fact]
    public async Task UnknownServerCertificate_FailsWithTheFingerprintAndTheOptionsToPass()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("parley: The certificate of 127.0.0.1:", line);
        Assert.Contains($"--fingerprint {server.CertificateFingerprint}", line);
        Assert.Contains("--trust-new", line);
    }

    [Fact]
    public async Task TrustNew_RecordsTheServerAndSaysSo_ThenTheKnownEntryIsEnough()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var first = await cli.RunAsync("whoami", "--trust-new");
        var second = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.StartsWith($"Trusted new server 127.0.0.1:{server.Port}", Assert.Single(first.StderrLines));
        Assert.Contains(server.CertificateFingerprint, File.ReadAllText(Path.Combine(cli.HomePath, "known_servers")));
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Empty(second.Stderr);
    }

    [Fact]
    public async Task Listen_WithCount_PrintsReadyThenEventsAndExitsAfterNMessages()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            await TestServer.DefaultHandler(session, message);
            if (message is LoginRequest)
            {
                await session.SendAsync(new UserStatusEvent { UserId = "u-bob", Username = "bob", Status = PresenceStates.Online, VirtualIp = "10.8.0.3", ServerId = "srv-1" });
                await session.SendAsync(Chat("m-1", "first"));
                await session.SendAsync(Chat("m-2", "second"));
                await session.SendAsync(Chat("m-3", "never printed"));
            }
        });
        using var cli = Logged(server);

        var result = await cli.RunAsync("listen", "--json", "--count", "2", "--timeout", "10", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(4, lines.Length);
        Assert.Equal($$"""{"event":"ready","user":"alice","user_id":"u-alice","server":"127.0.0.1:{{server.Port}}","server_id":"srv-1"}""", lines[0]);
        Assert.Equal("""{"event":"user_status","username":"bob","user_id":"u-bob","status":"online","virtual_ip":"10.8.0.3","server_id":"srv-1"}""", lines[1]);
        Assert.Equal(
            """{"event":"message","message_id":"m-1","from":"bob","from_id":"u-bob","from_server":"srv-1","to":"alice","to_id":"u-alice","text":"first","timestamp":"2024-05-01T12:00:00.0000000+00:00"}""",
            lines[2]);
        Assert.Contains("\"text\":\"second\"", lines[3]);
    }

    [Fact]
    public async Task Listen_TextMode_SaysOnStderrWhenItIsListening()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            await TestServer.DefaultHandler(session, message);
            if (message is LoginRequest)
            {
                await session.SendAsync(Chat("m-1", "hi\u001b[2J there"));
            }
        });
        using var cli = Logged(server);

        var result = await cli.RunAsync("listen", "--count", "1", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("Listening as alice… (Ctrl-C to stop)", Assert.Single(result.StderrLines));
        Assert.EndsWith("] bob: hi [2J there", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public async Task Listen_TimeoutBeforeCount_ExitsNonZeroSayingHowManyArrived()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            await TestServer.DefaultHandler(session, message);
            if (message is LoginRequest)
            {
                await session.SendAsync(Chat("m-1", "only one"));
            }
        });
        using var cli = Logged(server);

        var result = await cli.RunAsync("listen", "--count", "2", "--timeout", "0.5", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("parley: timed out after 0.5 s with 1 of 2 messages", result.StderrLines[^1]);
    }

    [Fact]
    public async Task Listen_ServerEndsTheConnection_ExitsNonZeroWithTheServersCode()
    {
        await using var server = TestServer.Start(async (session, message) =>
        {
            await TestServer.DefaultHandler(session, message);
            if (message is LoginRequest)
            {
                await session.SendAsync(new ErrorReply { Code = ErrorCodes.ServerShutdown, Message = "The server is shutting down." });
                await session.CloseAsync();
            }
        });
        using var cli = Logged(server);

        var result = await cli.RunAsync("listen", "--json", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        using var error = JsonDocument.Parse(Assert.Single(result.StderrLines));
        Assert.Equal(ErrorCodes.ServerShutdown, error.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Chat_WithPipedInput_SendsLinesAndCommandsAndEndsAtEndOfInput()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunWithInputAsync(
            "hello bob\n\n/msg carol hi carol\n//slash\n/users\n/nonsense\n",
            "chat", "bob", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var session = await server.NextSessionAsync();
        await session.NextMessageAsync<LoginRequest>();
        var sent = new[] { await session.NextMessageAsync<SendMessageRequest>(), await session.NextMessageAsync<SendMessageRequest>(), await session.NextMessageAsync<SendMessageRequest>() };
        Assert.Equal([("bob", "hello bob"), ("carol", "hi carol"), ("bob", "/slash")], sent.Select(s => (s.To!, s.Payload!)));
        Assert.Contains("alice     10.8.0.2    srv-1   u-alice", result.StdoutLines);
        Assert.Contains("unknown command /nonsense; /help lists them", result.StderrLines);
    }

    [Fact]
    public async Task Chat_Quit_StopsReadingInput()
    {
        await using var server = TestServer.Start();
        using var cli = Logged(server);

        var result = await cli.RunWithInputAsync("/quit\nnot sent\n", "chat", "bob", "--json", "--fingerprint", server.CertificateFingerprint);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("""{"event":"ready","user":"alice",""", Assert.Single(result.StdoutLines));
        var session = await server.NextSessionAsync();
        await session.NextMessageAsync<LoginRequest>();
        Assert.Null((await session.Received.ReadAllAsync().ToListAsync().AsTask().WaitAsync(TestTimeouts.Default)).FirstOrDefault(i => i.Message is SendMessageRequest));
    }

    [Fact]
    public void JsonErrors_AreOneObjectWithErrorAndMessage()
    {
        Assert.Equal("""{"error":"timeout","message":"took \"too\" long"}""", CliOutput.FormatError(json: true, "timeout", "took \"too\" long"));
        Assert.Equal("parley: two lines", CliOutput.FormatError(json: false, "x", "two\nlines"));
    }

    [Fact]
    public void JsonEvents_StartWithTheEventName_AndKeepTextReadable()
    {
        var line = CliOutput.FormatEvent("message", w => w.WriteString("text", "héllo <b> & 'you'"));

        Assert.Equal("""{"event":"message","text":"héllo <b> & 'you'"}""", line);
    }

    private static CliRunner Logged(TestServer server)
    {
        var cli = new CliRunner();
        cli.Environment["PARLEY_PASSWORD"] = Password;
        cli.Environment["PARLEY_USER"] = "alice";
        cli.Environment["PARLEY_SERVER"] = $"127.0.0.1:{server.Port}";
        return cli;
    }

    private static ChatMessage Chat(string id, string text) => new()
    {
        MessageId = id, From = "bob", FromId = "u-bob", FromServer = "srv-1", To = "alice", ToId = "u-alice",
        Payload = text, Timestamp = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
    };
}
