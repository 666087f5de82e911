using System.Globalization;
using Parley.Bench.Targets;
using Parley.Protocol.Messages;

namespace Parley.Bench.Cli;

/// <summary>Which flags a scenario takes: every flag belongs to one group, every scenario lists its groups.</summary>
[Flags]
public enum FlagGroups
{
    None = 0,
    Common = 1,
    Target = 2,
    Spawn = 4,
    Duration = 8,
    Traffic = 16,
    Search = 32,
    Storm = 64,
    Soak = 128,
    Compare = 256,
}

/// <summary>One command-line flag: how it reads its value into <see cref="BenchOptions"/>, and what it shows in --help.</summary>
public sealed record Flag(
    string Name,
    string? Value,
    FlagGroups Group,
    string Help,
    Func<BenchOptions, string, BenchOptions> Apply,
    Func<BenchOptions, string?>? Default = null)
{
    public bool IsSwitch => Value is null;
}

/// <summary>The flags, the same for every scenario where they apply.</summary>
public static class Flags
{
    public static IReadOnlyList<Flag> All { get; } =
    [
        new("--spawn", null, FlagGroups.Target, "start parley-server on loopback with a fresh data directory and sample it",
            (o, _) => o with { Spawn = true }),
        new("--target", "parley://HOST:PORT", FlagGroups.Target, "drive a server that is already running (loopback only)",
            (o, v) => TargetEndpoint.TryParse(v, out var endpoint, out var error) ? o with { Target = endpoint } : throw new UsageException($"--target: {error}")),
        new("--server-pid", "PID", FlagGroups.Target, "with --target: the server process to sample (CPU, RSS, fds)",
            (o, v) => o with { ServerPid = Int(v, "--server-pid", 1) }),
        new("--fingerprint", "FP", FlagGroups.Target, "with --target: SHA-256 of the server certificate (default: trust on first use)",
            (o, v) => o with { Fingerprint = v }),
        new("--user-prefix", "NAME", FlagGroups.Target, "account names are NAME000000, NAME000001, …",
            (o, v) => o with { UserPrefix = v }, o => o.UserPrefix),
        new("--parley-ack", "all|failures|all,failures", FlagGroups.Target | FlagGroups.Compare,
            "parley targets: the ack of each message: all (a delivery_status each) or failures (compare: one Parley row each)",
            (o, v) => o with { ParleyAck = AckList(v) }, o => string.Join(',', o.ParleyAck)),

        new("--clients", "N", FlagGroups.Common, "connections, each logged in as its own account",
            (o, v) => o with { Clients = Int(v, "--clients", 1) }, o => Text(o.Clients)),
        new("--json", null, FlagGroups.Common, "print one JSON object instead of the table (progress still goes to stderr)",
            (o, _) => o with { Json = true }),
        new("--seed", "N", FlagGroups.Common, "seed of the arrival schedule and peer choice",
            (o, v) => o with { Seed = Int(v, "--seed", 0) }, o => Text(o.Seed)),
        new("--connect-concurrency", "N", FlagGroups.Common, "connections being opened (TLS, key exchange, login) at once",
            (o, v) => o with { ConnectConcurrency = Int(v, "--connect-concurrency", 1) }, o => Text(o.ConnectConcurrency)),
        new("--per-address", "N", FlagGroups.Common, "connections per 127.0.0.x source address",
            (o, v) => o with { ConnectionsPerAddress = Int(v, "--per-address", 1) }, o => Text(o.ConnectionsPerAddress)),
        new("--server-cpus", "LIST", FlagGroups.Common, "run the spawned server under taskset -c LIST (e.g. 0)",
            (o, v) => o with { ServerCpus = CpuList(v, "--server-cpus") }),
        new("--client-cpus", "LIST", FlagGroups.Common, "re-run this generator under taskset -c LIST (e.g. 1)",
            (o, v) => o with { ClientCpus = CpuList(v, "--client-cpus") }),
        new("--server-env", "KEY=VALUE", FlagGroups.Common, "environment variable for the spawned server, which otherwise inherits this one's; KEY= removes KEY (repeatable)",
            (o, v) => o with { ServerEnvironment = WithVariable(o.ServerEnvironment, v) }),

        new("--server-dll", "PATH", FlagGroups.Spawn, "parley-server.dll to spawn (default: server/ beside parley-bench.dll)",
            (o, v) => o with { ServerDll = v }),
        new("--bcrypt-cost", "N", FlagGroups.Spawn, "bcrypt cost of the spawned server (with --target: the server's cost, for the login target)",
            (o, v) => o with { BcryptCost = Int(v, "--bcrypt-cost", 4, 31) }, o => Text(o.BcryptCost)),
        new("--outbound-queue", "N", FlagGroups.Spawn, "the spawned server's --outbound-queue (frames per connection)",
            (o, v) => o with { OutboundQueue = Int(v, "--outbound-queue", 1) }, o => Text(o.OutboundQueue)),
        new("--server-arg", "ARG", FlagGroups.Spawn, "one more argument for the spawned server (repeatable, e.g. --server-arg=--max-hashes --server-arg=1)",
            (o, v) => o with { ServerArguments = [.. o.ServerArguments, v] }),

        new("--duration", "SECONDS", FlagGroups.Duration, "the measured window (idle: how long the connections are held)",
            (o, v) => o with { DurationSeconds = Seconds(v, "--duration", allowZero: false) }, o => Text(o.DurationSeconds)),

        new("--size", "BYTES", FlagGroups.Traffic, $"message payload, at least {Metrics.PayloadHeader.Length} (the header)",
            (o, v) => o with { Size = Int(v, "--size", Metrics.PayloadHeader.Length, 65_536) }, o => Text(o.Size)),
        new("--rate", "R|max", FlagGroups.Traffic, "messages per second over all clients (Poisson), or max to search",
            (o, v) => RateSetting.TryParse(v, out var rate) ? o with { Rate = rate } : throw new UsageException($"--rate: '{v}' is neither a positive number nor max"),
            o => o.Rate.ToString()),
        new("--warmup", "SECONDS", FlagGroups.Traffic, "load before the measured window, not counted",
            (o, v) => o with { WarmupSeconds = Seconds(v, "--warmup", allowZero: true) }, o => Text(o.WarmupSeconds)),
        new("--drain", "SECONDS", FlagGroups.Traffic, "longest wait for messages still in flight after the window",
            (o, v) => o with { DrainSeconds = Seconds(v, "--drain", allowZero: true) }, o => Text(o.DrainSeconds)),

        new("--max-p99-ms", "MS", FlagGroups.Search, "--rate max: the p99 a rate must stay within",
            (o, v) => o with { MaxP99Ms = Seconds(v, "--max-p99-ms", allowZero: false) }, o => Text(o.MaxP99Ms)),
        new("--max-trials", "N", FlagGroups.Search, "--rate max: trials at most (each --warmup + --duration)",
            (o, v) => o with { MaxTrials = Int(v, "--max-trials", 1, 100) }, o => Text(o.MaxTrials)),
        new("--start-rate", "R", FlagGroups.Search, "--rate max: the first rate tried; doubled until it fails, then bisected",
            (o, v) => o with { StartRate = Seconds(v, "--start-rate", allowZero: false) }, o => Text(o.StartRate)),

        new("--storm-clients", "N", FlagGroups.Storm, "login storm: connections logging in and out over and over, at once",
            (o, v) => o with { StormClients = Int(v, "--storm-clients", 1) }, o => Text(o.StormClients)),

        new("--interval", "SECONDS", FlagGroups.Soak, "soak: one progress line this often",
            (o, v) => o with { IntervalSeconds = Seconds(v, "--interval", allowZero: false) }, o => Text(o.IntervalSeconds)),

        .. PeerFlags.All,
    ];

    public static Flag? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    private static List<string> AckList(string text) => FlagList.Distinct(
        text,
        (string item, out string mode) => (mode = item) is AckModes.All or AckModes.Failures,
        $"--parley-ack: '{text}' is not all, failures or all,failures");

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Int(string text, string flag, int min, int max = int.MaxValue)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException(max == int.MaxValue
                ? $"{flag}: '{text}' is not a whole number ≥ {min}"
                : $"{flag}: '{text}' is not a whole number from {min} to {max}");
        }

        return value;
    }

    private static double Seconds(string text, string flag, bool allowZero)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)
            || value < 0 || (value == 0 && !allowZero))
        {
            throw new UsageException($"{flag}: '{text}' is not a {(allowZero ? "non-negative" : "positive")} number");
        }

        return value;
    }

    private static string CpuList(string text, string flag)
    {
        try
        {
            Platform.CpuPinning.ParseList(text);
            return text;
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{flag}: {ex.Message}");
        }
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> existing, string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"--server-env: '{text}' is not KEY=VALUE");
        }

        return new Dictionary<string, string>(existing) { [text[..eq]] = text[(eq + 1)..] };
    }
}
