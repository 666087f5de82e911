namespace Parley.Bench.Cli;

/// <summary>What the XMPP and MQTT adapters and the compare command are told (bench/peers, docs/performance.md "Peers").</summary>
public sealed record PeerOptions
{
    public static readonly IReadOnlyList<string> AllTargets = ["parley", "floor", "mosquitto", "ejabberd", "prosody"];

    /// <summary>The XMPP domain of the accounts and the stream header (the peers serve <c>localhost</c>).</summary>
    public string XmppDomain { get; init; } = "localhost";

    /// <summary>MQTT QoS levels: one for a target; compare runs a Mosquitto row for each.</summary>
    public IReadOnlyList<int> MqttQos { get; init; } = [0];

    /// <summary>compare: which targets to run, in this order.</summary>
    public IReadOnlyList<string> Targets { get; init; } = AllTargets;

    /// <summary>compare: XMPP over direct TLS (ports 5223/5323) or STARTTLS (5222/5322).</summary>
    public bool XmppStartTls { get; init; }

    /// <summary>compare: Nagle for the peers that have a switch (Mosquitto, Prosody): off, on, or both as two rows.</summary>
    public IReadOnlyList<bool> NagleOn { get; init; } = [false];

    /// <summary>compare: PEER_STATE for the peer scripts.</summary>
    public string StateDirectory { get; init; } = "/tmp/parley-bench-peers";

    /// <summary>compare: where mosquitto.sh, ejabberd.sh and prosody.sh are (default: bench/peers found from here).</summary>
    public string? ScriptsDirectory { get; init; }
}
