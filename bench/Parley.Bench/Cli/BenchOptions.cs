using Parley.Bench.Targets;
using Parley.Protocol.Messages;

namespace Parley.Bench.Cli;

/// <summary>Everything one run is told on its command line; each scenario starts from its own defaults.</summary>
public sealed record BenchOptions
{
    public required string Scenario { get; init; }

    // Target.
    public bool Spawn { get; init; }
    public TargetEndpoint? Target { get; init; }
    public int? ServerPid { get; init; }
    public string? Fingerprint { get; init; }

    // Load.
    public int Clients { get; init; } = 100;
    public int Size { get; init; } = 256;
    public RateSetting Rate { get; init; } = RateSetting.Fixed(1000);
    public double DurationSeconds { get; init; } = 10;
    public double WarmupSeconds { get; init; } = 3;
    public double DrainSeconds { get; init; } = 5;
    public int Seed { get; init; } = 1;
    public bool Json { get; init; }

    // Connections.
    public int ConnectConcurrency { get; init; } = 32;
    public int ConnectionsPerAddress { get; init; } = SourceAddresses.DefaultPerAddress;
    public string UserPrefix { get; init; } = "bench";

    /// <summary>Parley targets: the <c>ack</c> of each message (<see cref="AckModes"/>); compare runs a Parley row for each.</summary>
    public IReadOnlyList<string> ParleyAck { get; init; } = [AckModes.All];

    // Spawned server and pinning.
    public string? ServerDll { get; init; }
    public int BcryptCost { get; init; } = 4;
    public int OutboundQueue { get; init; } = 65_536;
    public string? ServerCpus { get; init; }
    public string? ClientCpus { get; init; }
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> ServerArguments { get; init; } = [];

    // --rate max.
    public double MaxP99Ms { get; init; } = 50;
    public int MaxTrials { get; init; } = 12;
    public double StartRate { get; init; } = 1000;

    // login.
    public int StormClients { get; init; } = 4;

    // soak.
    public double IntervalSeconds { get; init; } = 10;

    // XMPP and MQTT adapters, compare.
    public PeerOptions Peers { get; init; } = new();

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);

    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds);

    public TimeSpan Drain => TimeSpan.FromSeconds(DrainSeconds);
}

/// <summary>A command line that cannot run; the message says what to change.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
