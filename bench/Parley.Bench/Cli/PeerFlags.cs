using System.Globalization;

namespace Parley.Bench.Cli;

/// <summary>The flags of the XMPP and MQTT adapters (any --target scenario) and of compare; part of <see cref="Flags.All"/>.</summary>
public static class PeerFlags
{
    private const FlagGroups Adapters = FlagGroups.Target | FlagGroups.Compare;

    public static IReadOnlyList<Flag> All { get; } =
    [
        new("--xmpp-domain", "DOMAIN", Adapters, "xmpp:// targets: the accounts' domain (user{i}@DOMAIN) and the stream's 'to'",
            (o, v) => o with { Peers = o.Peers with { XmppDomain = NonEmpty(v, "--xmpp-domain") } }, o => o.Peers.XmppDomain),
        new("--mqtt-qos", "0|1|0,1", Adapters, "mqtts:// targets: QoS of subscriptions and publishes (compare: one Mosquitto row each)",
            (o, v) => o with { Peers = o.Peers with { MqttQos = Qos(v) } }, o => string.Join(',', o.Peers.MqttQos)),

        new("--targets", "LIST", FlagGroups.Compare, "what to compare, in order: parley, floor, mosquitto, ejabberd, prosody (peers not installed are skipped)",
            (o, v) => o with { Peers = o.Peers with { Targets = TargetList(v) } }, o => string.Join(',', o.Peers.Targets)),
        new("--xmpp-tls", "direct|starttls", FlagGroups.Compare, "XMPP peers: direct TLS (5223, 5323) or STARTTLS (5222, 5322)",
            (o, v) => o with { Peers = o.Peers with { XmppStartTls = v switch { "direct" => false, "starttls" => true, _ => throw new UsageException($"--xmpp-tls: '{v}' is neither direct nor starttls") } } },
            o => o.Peers.XmppStartTls ? "starttls" : "direct"),
        new("--peer-nagle", "off|on|both", FlagGroups.Compare, "Nagle on the peers that can switch it (Mosquitto, Prosody); both runs each twice",
            (o, v) => o with { Peers = o.Peers with { NagleOn = v switch { "off" => [false], "on" => [true], "both" => [false, true], _ => throw new UsageException($"--peer-nagle: '{v}' is not off, on or both") } } },
            o => o.Peers.NagleOn.Count == 2 ? "both" : o.Peers.NagleOn[0] ? "on" : "off"),
        new("--peer-state", "DIR", FlagGroups.Compare, "PEER_STATE for bench/peers/*.sh (config, accounts, logs of each peer)",
            (o, v) => o with { Peers = o.Peers with { StateDirectory = NonEmpty(v, "--peer-state") } }, o => o.Peers.StateDirectory),
        new("--peers-dir", "DIR", FlagGroups.Compare, "the directory of mosquitto.sh, ejabberd.sh, prosody.sh (default: bench/peers of this checkout)",
            (o, v) => o with { Peers = o.Peers with { ScriptsDirectory = NonEmpty(v, "--peers-dir") } }),
    ];

    private static string NonEmpty(string value, string flag) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{flag} needs a value") : value;

    private static List<int> Qos(string text) => FlagList.Distinct(
        text,
        (string item, out int level) => int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out level) && level is 0 or 1,
        $"--mqtt-qos: '{text}' is not 0, 1 or 0,1");

    private static List<string> TargetList(string text) => FlagList.Distinct(
        text,
        (string item, out string name) => PeerOptions.AllTargets.Contains(name = item.ToLowerInvariant()),
        $"--targets: '{text}' is not a list of distinct names from {string.Join(", ", PeerOptions.AllTargets)}");
}
