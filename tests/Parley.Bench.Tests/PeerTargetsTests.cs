using Parley.Bench.Cli;
using Parley.Bench.Scenarios;
using Parley.Bench.Scenarios.Compare;
using Parley.Bench.Targets;
using Parley.Bench.Targets.Mqtt;
using Parley.Bench.Targets.Xmpp;

namespace Parley.Bench.Tests;

public sealed class PeerTargetsTests
{
    private static BenchOptions Options(params string[] args) => CommandLine.Parse(args, ScenarioCatalog.Specs).Options!;

    [Fact]
    public void Topics_OnePerUser_AsTheMosquittoAclGrants()
    {
        var topics = new MqttTopics(new PeerAccounts("user", "pw"));

        Assert.Equal("u/user0", topics[0]);
        Assert.Equal("u/user999", topics[999]);
        Assert.Same(topics[7], topics[7]);
        Assert.Equal("u/alice", MqttTopics.For("alice"));
    }

    [Theory]
    [InlineData("a+b")]
    [InlineData("a#")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Topics_UserNameThatIsNoSingleLevel_IsRefused(string user)
    {
        Assert.ThrowsAny<ArgumentException>(() => MqttTopics.For(user));
    }

    [Fact]
    public void Accounts_AreThePeerScriptsNames()
    {
        var accounts = new PeerAccounts(PeerAccounts.DefaultPrefix, PeerAccounts.DefaultPassword);

        Assert.Equal("user0", accounts[0]);
        Assert.Equal("user1000", accounts[1000]);
        Assert.Equal("user1@localhost", new XmppAddressBook(accounts, "localhost").BareJid(1));
    }

    [Theory]
    [InlineData("xmpp://127.0.0.1:5223", "xmpp")]
    [InlineData("xmpp+starttls://127.0.0.1:5222", "xmpp+starttls")]
    [InlineData("mqtts://localhost:8883", "mqtts")]
    public void Parse_PeerTargets_KeepTheirScheme(string uri, string scheme)
    {
        var o = Options("dm", "--target", uri, "--fingerprint", new string('a', 64), "--xmpp-domain", "example.test", "--mqtt-qos", "1");

        Assert.Equal(scheme, o.Target!.Scheme);
        Assert.True(PeerTargets.Handles(o.Target.Scheme));
        Assert.Equal("example.test", o.Peers.XmppDomain);
        Assert.Equal([1], o.Peers.MqttQos);
    }

    [Fact]
    public void Create_PeerTargetWithoutFingerprint_SaysHowToGetOne()
    {
        var o = Options("dm", "--target", "xmpp://127.0.0.1:5223");

        var ex = Assert.Throws<UsageException>(() => PeerTargets.Create(o, o.Target!, new SourceAddresses()));
        Assert.Contains("--fingerprint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificatePin_RefusesWhatIsNoFingerprint()
    {
        Assert.Throws<BenchTargetException>(() => new CertificatePin("not-a-fingerprint"));
        Assert.Equal(new string('A', 2) + ":" + new string('A', 2), new CertificatePin(new string('a', 64)).Value[..5]);
    }

    [Fact]
    public void Parse_Compare_Flags()
    {
        var o = Options("compare", "--targets", "parley,mosquitto,prosody", "--mqtt-qos", "0,1", "--peer-nagle", "both", "--xmpp-tls", "starttls",
            "--server-cpus", "0", "--client-cpus", "1", "--clients", "1000", "--rate", "max");

        Assert.Equal(["parley", "mosquitto", "prosody"], o.Peers.Targets);
        Assert.Equal([0, 1], o.Peers.MqttQos);
        Assert.Equal([false, true], o.Peers.NagleOn);
        Assert.True(o.Peers.XmppStartTls);
        Assert.True(o.Rate.IsMax);
        Assert.Null(o.Target);
    }

    [Fact]
    public void Parse_ParleyAck_OneModeForATargetAndAListForCompare()
    {
        Assert.Equal(["all"], Options("dm", "--spawn").ParleyAck);
        Assert.Equal(["failures"], Options("dm", "--spawn", "--parley-ack", "failures").ParleyAck);
        Assert.Equal(["all", "failures"], Options("compare", "--parley-ack", "all,failures").ParleyAck);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("all,all")]
    [InlineData("ALL")]
    [InlineData(",")]
    public void Parse_ParleyAck_UnknownOrRepeatedModes_AreRefused(string value)
    {
        var ex = Assert.Throws<UsageException>(() => Options("compare", "--parley-ack", value));

        Assert.Contains("--parley-ack", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTarget_WithTwoAckModesOutsideCompare_IsRefusedBeforeAnythingStarts()
    {
        var o = Options("dm", "--spawn", "--parley-ack", "all,failures");

        var ex = await Assert.ThrowsAsync<UsageException>(() => TargetFactory.CreateAsync(o, new SourceAddresses(), CancellationToken.None));

        Assert.Contains("one mode", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--targets", "parley,openfire")]
    [InlineData("--targets", "floor,floor")]
    [InlineData("--mqtt-qos", "2")]
    [InlineData("--peer-nagle", "maybe")]
    [InlineData("--xmpp-tls", "none")]
    public void Parse_Compare_BadValues_AreRefused(string flag, string value)
    {
        Assert.Throws<UsageException>(() => Options("compare", flag, value));
    }

    [Fact]
    public void Parse_CompareFlags_DoNotApplyToDm()
    {
        Assert.Throws<UsageException>(() => Options("dm", "--spawn", "--targets", "parley"));
    }

    [Fact]
    public void Render_RowsWithAndWithoutFigures()
    {
        var report = new CompareReport { Clients = 10, Size = 256, Rate = "100", DurationS = 1, WarmupS = 0, Certificate = "x" };
        report.Rows.Add(new CompareRow { Target = "parley", Nagle = "off (NoDelay)", DeliveredPerSec = 100, ServerCpuUsPerMsg = 50, CpuVsParley = 1, ThroughputVsParley = 1, Lost = 0 });
        report.Rows.Add(new CompareRow { Target = "prosody", Nagle = "off", Skipped = "not installed" });

        var text = CompareTable.Render(report);
        var json = CompareTable.Json(report);

        Assert.Contains("skipped: not installed", text, StringComparison.Ordinal);
        Assert.Contains("50.0", text, StringComparison.Ordinal);
        Assert.Contains("\"cpu_vs_parley\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"rows\"", json, StringComparison.Ordinal);
    }
}
