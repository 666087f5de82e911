using System.Globalization;
using Parley.Bench.Cli;
using Parley.Bench.Load;
using Parley.Bench.Metrics;
using Parley.Bench.Platform;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;

namespace Parley.Bench.Scenarios;

/// <summary>
/// What a scenario works with: the options, the target, connection fleets, trials, samples of the server and
/// the report. It owns everything it opened and closes it in the fastest safe order (a spawned server is stopped
/// before its thousands of clients hang up, so it does not broadcast thousands of "went offline" events first).
/// </summary>
internal sealed class BenchSession : IAsyncDisposable
{
    private readonly List<ClientFleet> _fleets = [];

    private BenchSession(BenchOptions options, IBenchTarget target, SourceAddresses sources, long fdLimit)
    {
        Options = options;
        Target = target;
        Sources = sources;
        FdLimit = fdLimit;
    }

    public BenchOptions Options { get; }

    public IBenchTarget Target { get; }

    public SourceAddresses Sources { get; }

    public long FdLimit { get; }

    public int? ServerPid => Target.ServerProcessId;

    public static async Task<BenchSession> OpenAsync(IScenario scenario, BenchOptions options, long fdLimit, CancellationToken cancellationToken)
    {
        var sources = new SourceAddresses(options.ConnectionsPerAddress);
        var target = await scenario.CreateTargetAsync(options, sources, cancellationToken);
        return new BenchSession(options, target, sources, fdLimit);
    }

    public ProcessSample? SampleServer() => ServerPid is { } pid ? ProcessSampler.TrySample(pid) : null;

    /// <summary>Registers the accounts <paramref name="first"/>… (nothing for targets without accounts).</summary>
    public async Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken)
    {
        if (Target.Kind == "parley" && count > 0)
        {
            ProgressLog.Write($"registering {count:N0} accounts");
        }

        await Target.PrepareAccountsAsync(first, count, cancellationToken);
    }

    public async Task<ClientFleet> ConnectAsync(int first, int count, CancellationToken cancellationToken)
    {
        ProgressLog.Write($"connecting {count:N0} clients from {Sources.AddressesFor(count)} source address(es), {Options.ConnectConcurrency} at a time");
        var fleet = await ClientFleet.ConnectAsync(Target, first, count, Options.ConnectConcurrency, cancellationToken);
        _fleets.Add(fleet);
        ProgressLog.Write($"connected {count:N0} clients in {fleet.ConnectSeconds:0.0} s");
        LastSettle = await SettleAsync(cancellationToken);
        return fleet;
    }

    /// <summary>How long the last <see cref="ConnectAsync"/> waited for quiet, and the server as it was then.</summary>
    public (ProcessSample? Server, double Seconds) LastSettle { get; private set; }

    /// <summary>
    /// Waits until the server (when sampled) and this process each use under 5% of a core for two seconds in a row, at
    /// most <see cref="SettleLimit"/>. Every login tells every online user, so N logins leave N²/2 presence events to
    /// be written and read after the last login returns; a trial that started before they are done would measure them.
    /// </summary>
    public async Task<(ProcessSample? Server, double Seconds)> SettleAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var server = SampleServer();
        var self = GeneratorSample.Take();
        var quiet = 0;
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < SettleLimit && quiet < 2)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var serverNow = SampleServer();
            var selfNow = GeneratorSample.Take();
            if (ServerPid is not null && serverNow is null)
            {
                throw new BenchFailedException("the server process went away while the connections were settling");
            }

            var serverQuiet = serverNow is null || server is null || serverNow.CoresSince(server) < 0.05;
            quiet = serverQuiet && selfNow.CoresSince(self) < 0.05 ? quiet + 1 : 0;
            (server, self) = (serverNow, selfNow);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        ProgressLog.Write(quiet >= 2
            ? $"quiet after {seconds:0.0} s{(server is null ? string.Empty : $" (server RSS {server.RssKb / 1024.0:0.0} MB, {server.FileDescriptors:N0} fds)")}"
            : $"still busy after {seconds:0} s (presence fan-out?); going on");
        return (server, seconds);
    }

    public static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(300);

    public Task<TrialResult> RunTrialAsync(ClientFleet fleet, double rate, int trial, Action<IntervalReport>? onInterval, CancellationToken cancellationToken)
    {
        var o = Options;
        ProgressLog.Write($"trial at {rate.ToString("0.###", CultureInfo.InvariantCulture)} msg/s: {o.WarmupSeconds} s warm-up, {o.DurationSeconds} s measured");
        var settings = new TrialSettings(rate, o.Warmup, o.Duration, o.Drain, o.Size, o.Seed + trial,
            onInterval is null ? null : TimeSpan.FromSeconds(o.IntervalSeconds));
        return OpenLoopTrial.RunAsync(fleet, Target.RoutesToPeer, settings, ServerPid, onInterval, cancellationToken);
    }

    /// <summary>A result with what every scenario reports: the run's shape, the pinning, the limits.</summary>
    public BenchResult NewResult()
    {
        var o = Options;
        var result = new BenchResult
        {
            Scenario = o.Scenario,
            Target = Target.Description,
            Clients = o.Clients,
            ServerPid = ServerPid,
            ServerCpus = ServerPid is { } pid ? Describe(CpuPinning.AllowedCpus(pid)) : null,
            GeneratorCpus = Describe(CpuPinning.AllowedCpus(Environment.ProcessId)),
            FdLimit = FdLimit > 0 ? FdLimit : null,
            SettleSeconds = LastSettle.Seconds > 0 ? Math.Round(LastSettle.Seconds, 1) : null,
        };
        if (ServerPid is null)
        {
            result.Notes.Add("no server process to sample (pass --server-pid with --target): server CPU and RSS are not reported");
        }

        return result;
    }

    /// <summary>Copies a trial's figures into <paramref name="result"/> and notes what a reader should know about them.</summary>
    public void Fill(BenchResult result, TrialResult trial, ProcessSample? serverBefore)
    {
        var o = Options;
        result.Size = o.Size;
        result.Rate = trial.Rate;
        result.WarmupS = o.WarmupSeconds;
        result.DurationS = o.DurationSeconds;
        result.Sent = trial.Sent;
        result.Delivered = trial.Delivered;
        result.Lost = trial.Lost;
        result.Duplicates = trial.Duplicates;
        result.Reordered = trial.Reordered;
        result.SendErrors = trial.SendErrors;
        result.FirstSendError = trial.FirstSendError;
        result.Stray = trial.Stray;
        result.Disconnected = trial.Disconnected;
        result.DeliveredPerSec = Math.Round(trial.DeliveredPerSec, 1);
        var latency = trial.Latency;
        (result.P50Ms, result.P90Ms, result.P99Ms, result.P999Ms, result.MaxMs, result.MeanMs) =
            (latency.P50Ms, latency.P90Ms, latency.P99Ms, latency.P999Ms, latency.MaxMs, latency.MeanMs);
        result.SendLagP99Ms = trial.SendLag.P99Ms;
        result.SendLagMaxMs = trial.SendLag.MaxMs;

        result.ServerCpuUsPerMsg = Round(trial.ServerCpuUsPerMessage, 2);
        result.ServerCpuCores = Round(trial.ServerCores, 3);
        if (trial.ServerEnd is { } end)
        {
            result.ServerRssMb = Round(end.RssKb / 1024.0, 1);
            result.ServerFds = end.FileDescriptors;
            result.ServerThreads = end.Threads;
            if (serverBefore is not null)
            {
                result.ServerRssBeforeMb = Round(serverBefore.RssKb / 1024.0, 1);
                result.RssKbPerConnection = Round((end.RssKb - serverBefore.RssKb) / (double)Math.Max(1, o.Clients), 2);
            }
        }

        var generator = trial.GeneratorCores;
        result.GeneratorCpuCores = Math.Round(generator, 3);
        result.GeneratorSaturated = generator > 0.9;
        result.GeneratorCpuUsPerMsg = Round(trial.GeneratorCpuUsPerMessage, 2);
        result.GeneratorGcGen0 = trial.GeneratorEnd.Gen0 - trial.GeneratorStart.Gen0;
        result.GeneratorGcGen1 = trial.GeneratorEnd.Gen1 - trial.GeneratorStart.Gen1;
        result.GeneratorGcGen2 = trial.GeneratorEnd.Gen2 - trial.GeneratorStart.Gen2;
        result.GeneratorGcPauseMs = Math.Round((trial.GeneratorEnd.GcPause - trial.GeneratorStart.GcPause).TotalMilliseconds, 1);
        result.GeneratorRssMb = Math.Round(trial.GeneratorEnd.RssKb / 1024.0, 1);
        result.OtherCpuCores = Round(trial.OtherCores, 3);
        Note(result, trial);
    }

    /// <summary>How long connecting took, as every scenario reports it.</summary>
    public static void RecordConnect(BenchResult result, ClientFleet fleet)
    {
        result.ConnectSeconds = Math.Round(fleet.ConnectSeconds, 2);
        result.ConnectsPerSec = Math.Round(fleet.Count / Math.Max(fleet.ConnectSeconds, 0.001), 1);
    }

    private void Note(BenchResult result, TrialResult trial)
    {
        var notes = result.Notes;
        if (trial.GeneratorCores > 0.9)
        {
            notes.Add($"generator saturated: it used {trial.GeneratorCores:0.00} cores (> 0.9), so these figures are a lower bound for the server, not its limit");
        }

        if (trial.OtherCores is { } other && other > 0.2)
        {
            notes.Add($"other processes used {other:0.00} cores during the window: the machine was not quiet, so latency and CPU figures are noisier than usual");
        }

        if (trial.SendLag.P99Ms > 1)
        {
            notes.Add($"the generator sent late (send lag p99 {trial.SendLag.P99Ms:0.###} ms, max {trial.SendLag.MaxMs:0.###} ms): latency includes it, as it would for a real client");
        }

        if (trial.ServerCores is { } cores && ServerPid is { } pid && CpuPinning.AllowedCpus(pid) is { Count: > 0 } cpus && cores > 0.9 * cpus.Count)
        {
            notes.Add($"server used {cores:0.00} of its {cpus.Count} core(s): it is CPU-bound at this load");
        }

        if (trial.Disconnected > 0)
        {
            notes.Add($"{trial.Disconnected} clients were disconnected: {trial.FirstCloseReason}");
        }

        if (trial.Lost > 0)
        {
            notes.Add($"{trial.Lost} messages not delivered within the {Options.DrainSeconds} s drain");
        }

        if (trial.Stray > 0)
        {
            notes.Add($"{trial.Stray} stray messages (an earlier trial's, or malformed) were ignored");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Target.OwnsServer)
        {
            await Target.DisposeAsync();
            await DisposeFleetsAsync();
        }
        else
        {
            await DisposeFleetsAsync();
            await Target.DisposeAsync();
        }
    }

    private async Task DisposeFleetsAsync()
    {
        foreach (var fleet in _fleets)
        {
            await fleet.DisposeAsync();
        }

        _fleets.Clear();
    }

    private static string? Describe(IReadOnlyList<int>? cpus) => cpus is null ? null : string.Join(',', cpus);

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
