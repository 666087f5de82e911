using Parley.Bench.Metrics;

namespace Parley.Bench.Load;

/// <summary>How one open-loop trial is run.</summary>
internal sealed record TrialSettings(double Rate, TimeSpan Warmup, TimeSpan Duration, TimeSpan Drain, int Size, int Seed, TimeSpan? ProgressInterval = null);

/// <summary>One soak progress line's figures.</summary>
internal sealed record IntervalReport(double AtSeconds, double DeliveredPerSec, LatencySummary Latency, ProcessSample? Server, double? ServerCores, long LostSoFar);

/// <summary>What one trial measured. "Window" is the measured part, after the warm-up.</summary>
internal sealed record TrialResult
{
    public required double Rate { get; init; }
    public required double WindowSeconds { get; init; }
    public required long ScheduledWindow { get; init; }

    /// <summary>Window messages handed to the target (refused ones included).</summary>
    public required long Sent { get; init; }
    public required long SendErrors { get; init; }
    public string? FirstSendError { get; init; }
    public required long Delivered { get; init; }
    public required long Lost { get; init; }
    public required long Duplicates { get; init; }
    public required long Reordered { get; init; }
    public required long Stray { get; init; }

    /// <summary>Arrivals between the window's two samples: the throughput, matched to the CPU figures.</summary>
    public required long ArrivalsInWindow { get; init; }
    public required double DeliveredPerSec { get; init; }
    public required LatencySummary Latency { get; init; }
    public required LatencySummary SendLag { get; init; }
    public required double DrainSeconds { get; init; }
    public required int Disconnected { get; init; }
    public string? FirstCloseReason { get; init; }

    public ProcessSample? ServerStart { get; init; }
    public ProcessSample? ServerEnd { get; init; }
    public required GeneratorSample GeneratorStart { get; init; }
    public required GeneratorSample GeneratorEnd { get; init; }
    public IReadOnlyList<IntervalReport> Intervals { get; init; } = [];
    public MachineSample? MachineStart { get; init; }
    public MachineSample? MachineEnd { get; init; }

    /// <summary>Cores the rest of the machine used during the window: neither the server nor this generator.</summary>
    public double? OtherCores => MachineStart is not null && MachineEnd is not null
        ? Math.Max(0, MachineEnd.CoresSince(MachineStart) - (ServerCores ?? 0) - GeneratorCores)
        : null;

    public double? ServerCores => ServerStart is not null && ServerEnd is not null ? ServerEnd.CoresSince(ServerStart) : null;

    public double? ServerCpuUsPerMessage => ServerStart is not null && ServerEnd is not null && ArrivalsInWindow > 0
        ? (ServerEnd.CpuSeconds - ServerStart.CpuSeconds) * 1e6 / ArrivalsInWindow
        : null;

    public double GeneratorCores => GeneratorEnd.CoresSince(GeneratorStart);

    public double? GeneratorCpuUsPerMessage => ArrivalsInWindow > 0
        ? (GeneratorEnd.CpuSeconds - GeneratorStart.CpuSeconds) * 1e6 / ArrivalsInWindow
        : null;

    /// <summary>The search's test: p99 within the limit, nothing lost, refused or duplicated, every client still connected.</summary>
    public string? FailureAgainst(double maxP99Ms)
    {
        if (Disconnected > 0)
        {
            return $"{Disconnected} clients disconnected ({FirstCloseReason})";
        }

        if (Lost > 0)
        {
            return $"{Lost} lost";
        }

        if (SendErrors > 0)
        {
            return $"{SendErrors} send errors ({FirstSendError})";
        }

        if (Duplicates > 0)
        {
            return $"{Duplicates} duplicates";
        }

        return Latency.P99Ms > maxP99Ms ? $"p99 {Latency.P99Ms:0.###} ms > {maxP99Ms:0.###} ms" : null;
    }
}
