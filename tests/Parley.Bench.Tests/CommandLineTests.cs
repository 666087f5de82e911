using Parley.Bench.Cli;
using Parley.Bench.Scenarios;

namespace Parley.Bench.Tests;

public sealed class CommandLineTests
{
    private static ParsedCommand Parse(params string[] args) => CommandLine.Parse(args, ScenarioCatalog.Specs);

    private static BenchOptions Options(params string[] args) => Parse(args).Options!;

    [Fact]
    public void Parse_TheIssuesExample_SetsEveryFlag()
    {
        var o = Options("dm", "--spawn", "--clients", "1000", "--size", "256", "--rate", "10000", "--duration", "15", "--json");

        Assert.Equal("dm", o.Scenario);
        Assert.True(o.Spawn);
        Assert.Null(o.Target);
        Assert.Equal(1000, o.Clients);
        Assert.Equal(256, o.Size);
        Assert.Equal(RateSetting.Fixed(10000), o.Rate);
        Assert.Equal(15, o.DurationSeconds);
        Assert.True(o.Json);
    }

    [Fact]
    public void Parse_NoFlags_TakesTheScenariosDefaults()
    {
        var dm = Options("dm", "--spawn");
        var idle = Options("idle", "--spawn");
        var soak = Options("soak", "--spawn");

        Assert.Equal((100, 256, 1000.0, 10.0, 3.0), (dm.Clients, dm.Size, dm.Rate.PerSecond, dm.DurationSeconds, dm.WarmupSeconds));
        Assert.Equal(1000, idle.Clients);
        Assert.Equal((2000.0, 300.0, 10.0), (soak.Rate.PerSecond, soak.DurationSeconds, soak.IntervalSeconds));
    }

    [Fact]
    public void Parse_EqualsForm_AndRateMax()
    {
        var o = Options("dm", "--spawn", "--rate=max", "--warmup=0", "--server-cpus=0", "--client-cpus", "1");

        Assert.True(o.Rate.IsMax);
        Assert.Equal(0, o.WarmupSeconds);
        Assert.Equal("0", o.ServerCpus);
        Assert.Equal("1", o.ClientCpus);
    }

    [Fact]
    public void Parse_Target_WithPidAndFingerprint()
    {
        var o = Options("idle", "--target", "parley://127.0.0.1:5001", "--server-pid", "4242", "--fingerprint", "AB:CD");

        Assert.Equal("parley", o.Target!.Scheme);
        Assert.Equal(5001, o.Target.Port);
        Assert.Equal(4242, o.ServerPid);
        Assert.Equal("AB:CD", o.Fingerprint);
    }

    [Fact]
    public void Parse_RepeatableServerFlags_Accumulate()
    {
        var o = Options("dm", "--spawn", "--server-env", "A=1", "--server-env", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0",
            "--server-arg=--max-hashes", "--server-arg", "1");

        Assert.Equal("1", o.ServerEnvironment["A"]);
        Assert.Equal("0", o.ServerEnvironment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]);
        Assert.Equal(["--max-hashes", "1"], o.ServerArguments);
    }

    [Fact]
    public void Parse_Floor_NeedsNoTarget()
    {
        var o = Options("floor", "--clients", "10", "--rate", "max");

        Assert.False(o.Spawn);
        Assert.True(o.Rate.IsMax);
    }

    [Theory]
    [InlineData("unknown scenario", "nope")]
    [InlineData("unknown option '--colour'", "dm", "--spawn", "--colour", "red")]
    [InlineData("needs exactly one target", "dm")]
    [InlineData("needs exactly one target", "dm", "--spawn", "--target", "parley://127.0.0.1:5001")]
    [InlineData("not a loopback address", "dm", "--target", "parley://10.0.0.5:5001")]
    [InlineData("not a loopback address", "dm", "--target", "parley://example.com:5001")]
    [InlineData("needs a port", "dm", "--target", "parley://127.0.0.1")]
    [InlineData("does not apply to idle", "idle", "--spawn", "--rate", "100")]
    [InlineData("does not apply to floor", "floor", "--spawn")]
    [InlineData("--rate max applies to dm and floor", "soak", "--spawn", "--rate", "max")]
    [InlineData("--size", "dm", "--spawn", "--size", "8")]
    [InlineData("--clients", "dm", "--spawn", "--clients", "zero")]
    [InlineData("dm needs --clients of at least 2", "dm", "--spawn", "--clients", "1")]
    [InlineData("--rate", "dm", "--spawn", "--rate", "-5")]
    [InlineData("needs a value", "dm", "--spawn", "--clients")]
    [InlineData("--server-cpus", "dm", "--spawn", "--server-cpus", "a-b")]
    [InlineData("applies to a server this instrument starts", "dm", "--target", "parley://127.0.0.1:5001", "--server-cpus", "0")]
    [InlineData("go with --target", "dm", "--spawn", "--server-pid", "12")]
    public void Parse_BadCommandLine_ThrowsUsageException_ThatSaysWhy(string expected, params string[] args)
    {
        var ex = Assert.Throws<UsageException>(() => Parse(args));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Help_GeneralAndPerScenario()
    {
        var general = Parse("--help").HelpText!;
        var login = Parse("login", "--help").HelpText!;

        Assert.All(ScenarioCatalog.Specs, s => Assert.Contains(s.Name, general, StringComparison.Ordinal));
        Assert.Contains("--storm-clients", login, StringComparison.Ordinal);
        Assert.DoesNotContain("--max-trials", login, StringComparison.Ordinal);
        Assert.Contains("[default: 100]", login, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryScenario_TakesTheCommonFlags()
    {
        Assert.All(ScenarioCatalog.Specs, s => Assert.True((s.Groups & FlagGroups.Common) != 0, s.Name));
    }
}
