using Microsoft.Extensions.Configuration;
using Parley.Server.Accounts;
using Parley.Server.Configuration;

namespace Parley.Server.Tests.Configuration;

public sealed class ServerFlagsTests
{
    /// <summary>Every flag, its option key and its default, as README.md documents them (null: no default shown).</summary>
    private static readonly (string Flag, string Key, string? Default)[] Documented =
    [
        ("--bind", "Bind", "0.0.0.0"),
        ("--port", "Port", "5001"),
        ("--data", "DataDirectory", "data"),
        ("--db", "Database", null),
        ("--cert", "CertificatePath", null),
        ("--cert-key", "CertificateKeyPath", null),
        ("--server-id", "ServerId", null),
        ("--server-name", "ServerName", Environment.MachineName),
        ("--bcrypt-cost", "BcryptCost", "12"),
        ("--password-policy", "PasswordPolicy", "Classic"),
        ("--max-hashes", "MaxConcurrentHashes", $"{Math.Max(1, Environment.ProcessorCount)}"),
        ("--max-frame-bytes", "MaxFrameBytes", "1048576"),
        ("--max-text-bytes", "MaxTextBytes", "65536"),
        ("--outbound-queue", "OutboundQueueLength", "1024"),
        ("--handshake-timeout", "HandshakeTimeoutSeconds", "10"),
        ("--login-timeout", "LoginTimeoutSeconds", "30"),
        ("--max-login-attempts", "MaxLoginAttempts", "5"),
        ("--presence-delay", "PresenceDelayMilliseconds", "25"),
        ("--vip-first", "VirtualIpFirst", "10.8.0.2"),
        ("--vip-last", "VirtualIpLast", "10.8.255.254"),
        ("--log-level", "LogLevel", "Information"),
    ];

    public static TheoryData<string, string> FlagKeys
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (flag, key, _) in Documented)
            {
                data.Add(flag, key);
            }

            return data;
        }
    }

    public static TheoryData<string, string, string?> FlagKeysAndDefaults
    {
        get
        {
            var data = new TheoryData<string, string, string?>();
            foreach (var (flag, key, documentedDefault) in Documented)
            {
                data.Add(flag, key, documentedDefault);
            }

            return data;
        }
    }

    private static Dictionary<string, string?> Parse(params string[] args)
    {
        Assert.True(ServerFlags.TryParse(args, out var values, out var help, out var error), error);
        Assert.False(help);
        Assert.Empty(error);
        return values;
    }

    private static string ParseError(params string[] args)
    {
        Assert.False(ServerFlags.TryParse(args, out _, out _, out var error));
        return error;
    }

    private static ParleyServerOptions Bind(params string[] args)
    {
        var options = new ParleyServerOptions();
        new ConfigurationBuilder().AddInMemoryCollection(Parse(args)).Build().Bind(options);
        return options;
    }

    [Theory]
    [MemberData(nameof(FlagKeys))]
    public void TryParse_FlagThenValue_MapsToTheOptionKey(string flag, string key)
    {
        var values = Parse(flag, "some value");

        Assert.Equal(new Dictionary<string, string?> { [key] = "some value" }, values);
    }

    [Theory]
    [MemberData(nameof(FlagKeys))]
    public void TryParse_FlagEqualsValue_MapsToTheOptionKey(string flag, string key)
    {
        var values = Parse($"{flag}=some value");

        Assert.Equal(new Dictionary<string, string?> { [key] = "some value" }, values);
    }

    [Fact]
    public void TryParse_FlagEqualsValue_KeepsEverythingAfterTheFirstEquals()
    {
        var values = Parse("--db=Data Source=/srv/parley.db;Cache=Shared");

        Assert.Equal("Data Source=/srv/parley.db;Cache=Shared", values["Database"]);
    }

    [Fact]
    public void TryParse_ManyFlagsInBothForms_MapsEach()
    {
        var values = Parse("--bind", "127.0.0.1", "--port=0", "--data", "/srv/parley", "--log-level=Debug");

        Assert.Equal(
            new Dictionary<string, string?> { ["Bind"] = "127.0.0.1", ["Port"] = "0", ["DataDirectory"] = "/srv/parley", ["LogLevel"] = "Debug" },
            values);
    }

    [Fact]
    public void TryParse_SameFlagTwice_TheLaterWins()
    {
        Assert.Equal("6000", Parse("--port", "5000", "--port=6000")["Port"]);
    }

    [Fact]
    public void TryParse_NoArguments_SucceedsWithNothingSet()
    {
        Assert.Empty(Parse());
    }

    [Theory]
    [InlineData("--prot")]
    [InlineData("--prot=5001")]
    [InlineData("-p")]
    [InlineData("port")]
    public void TryParse_UnknownFlag_FailsNamingTheFlag(string arg)
    {
        var error = ParseError("--bind", "127.0.0.1", arg, "5001");

        var name = arg.Split('=')[0];
        Assert.Contains($"unknown option '{name}'", error, StringComparison.Ordinal);
        Assert.Contains("--help", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_UnknownFlagWithInlineValue_DoesNotEchoTheValue()
    {
        var error = ParseError("--certificate-password=hunter2");

        Assert.Contains("'--certificate-password'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "N")]
    [InlineData("--data", "DIR")]
    [InlineData("--password-policy", "classic|nist")]
    public void TryParse_LastFlagWithoutAValue_FailsNamingTheFlagAndWhatItNeeds(string flag, string needs)
    {
        var error = ParseError("--bind", "127.0.0.1", flag);

        Assert.Equal($"option '{flag}' needs a value ({needs})", error);
    }

    [Theory]
    [InlineData("--port", "--bind", "127.0.0.1")]
    [InlineData("--data", "--help")]
    [InlineData("--db", "--port=5001")]
    [InlineData("--cert-key", "-h")]
    public void TryParse_FlagFollowedByAnotherFlag_FailsNamingTheFlagWithoutAValue(params string[] args)
    {
        var error = ParseError(args);

        Assert.StartsWith($"option '{args[0]}' needs a value", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ValueStartingWithADashInEqualsForm_IsTheValue()
    {
        Assert.Equal("--odd-name", Parse("--server-name=--odd-name")["ServerName"]);
    }

    [Fact]
    public void TryParse_NegativeNumber_IsAValue()
    {
        Assert.Equal("-1", Parse("--port", "-1")["Port"]);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void TryParse_Help_SetsHelpAndStillParsesTheRest(string arg)
    {
        Assert.True(ServerFlags.TryParse(["--port", "0", arg], out var values, out var help, out var error));

        Assert.True(help);
        Assert.Empty(error);
        Assert.Equal("0", values["Port"]);
    }

    [Fact]
    public void TryParse_WithoutHelp_LeavesHelpFalse()
    {
        Assert.True(ServerFlags.TryParse(["--port", "0"], out _, out var help, out _));

        Assert.False(help);
    }

    [Theory]
    [MemberData(nameof(FlagKeysAndDefaults))]
    public void HelpText_ListsEveryFlagWithItsDefaultAndKey(string flag, string key, string? documentedDefault)
    {
        var lines = ServerFlags.HelpText().Split(Environment.NewLine);

        var at = Array.FindIndex(lines, l => l.StartsWith($"  {flag} ", StringComparison.Ordinal));
        Assert.True(at >= 0, $"{flag} is not in the help text");
        if (documentedDefault is null)
        {
            Assert.DoesNotContain("[default:", lines[at], StringComparison.Ordinal);
        }
        else
        {
            Assert.EndsWith($"[default: {documentedDefault}]", lines[at], StringComparison.Ordinal);
        }

        Assert.Equal($"key: {key}", lines[at + 1].Trim());
    }

    [Fact]
    public void HelpText_ListsNoFlagBeyondTheDocumentedOnesAndHelp()
    {
        var listed = ServerFlags.HelpText().Split(Environment.NewLine)
            .Where(l => l.StartsWith("  --", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]);

        Assert.Equal(Documented.Select(d => d.Flag).Append("--help"), listed);
    }

    [Fact]
    public void ParsedFlags_BoundThroughConfiguration_LandInParleyServerOptions()
    {
        var options = Bind(
            "--bind", "127.0.0.1", "--port", "0", "--data=/srv/parley", "--db", "other.db", "--cert", "c.pem", "--cert-key=k.pem",
            "--server-id", "srv-1", "--server-name", "Parley Test", "--bcrypt-cost", "10", "--password-policy", "nist",
            "--max-hashes", "3", "--max-frame-bytes", "8192", "--max-text-bytes=4096", "--outbound-queue", "32",
            "--handshake-timeout", "5", "--login-timeout", "60", "--max-login-attempts", "7",
            "--vip-first", "10.9.0.2", "--vip-last", "10.9.0.200", "--log-level", "Debug");

        Assert.Equal(("127.0.0.1", 0, "/srv/parley", "other.db"), (options.Bind, options.Port, options.DataDirectory, options.Database));
        Assert.Equal(("c.pem", "k.pem"), (options.CertificatePath, options.CertificateKeyPath));
        Assert.Equal(("srv-1", "Parley Test"), (options.ServerId, options.ServerName));
        Assert.Equal((10, PasswordPolicyKind.Nist, 3), (options.BcryptCost, options.PasswordPolicy, options.MaxConcurrentHashes));
        Assert.Equal((8192, 4096, 32), (options.MaxFrameBytes, options.MaxTextBytes, options.OutboundQueueLength));
        Assert.Equal((5, 60, 7), (options.HandshakeTimeoutSeconds, options.LoginTimeoutSeconds, options.MaxLoginAttempts));
        Assert.Equal(("10.9.0.2", "10.9.0.200", "Debug"), (options.VirtualIpFirst, options.VirtualIpLast, options.LogLevel));
        Assert.Equal(TimeSpan.FromSeconds(60), options.LoginTimeout);
    }

    [Theory]
    [InlineData("nist", PasswordPolicyKind.Nist)]
    [InlineData("NIST", PasswordPolicyKind.Nist)]
    [InlineData("classic", PasswordPolicyKind.Classic)]
    public void PasswordPolicyFlag_BindsCaseInsensitively(string value, PasswordPolicyKind expected)
    {
        var options = Bind("--password-policy", value);

        Assert.Equal(expected, options.PasswordPolicy);
    }

    [Fact]
    public void PortZero_BindsAsZero()
    {
        Assert.Equal(0, Bind("--port", "0").Port);
    }

    [Fact]
    public void NoFlags_BindToTheDefaults()
    {
        var options = Bind();

        Assert.Equal((5001, "data", PasswordPolicyKind.Classic), (options.Port, options.DataDirectory, options.PasswordPolicy));
    }
}
