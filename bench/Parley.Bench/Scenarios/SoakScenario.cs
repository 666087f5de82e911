using System.Globalization;
using Parley.Bench.Cli;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios;

/// <summary>soak: dm at a steady rate for a long time, one line per --interval so a leak or a slowdown shows as a trend.</summary>
internal sealed class SoakScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "soak",
        "dm at a steady --rate for a long --duration, one progress line per --interval (delivered/s, p99, server RSS)",
        FlagGroups.Common | FlagGroups.Target | FlagGroups.Spawn | FlagGroups.Duration | FlagGroups.Traffic | FlagGroups.Soak,
        o => o with { Clients = 100, Size = 256, Rate = RateSetting.Fixed(2000), DurationSeconds = 300, WarmupSeconds = 5, IntervalSeconds = 10 },
        MinClients: 2);

    public async Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var o = session.Options;
        await session.PrepareAccountsAsync(0, o.Clients, cancellationToken);
        var before = session.SampleServer();
        var fleet = await session.ConnectAsync(0, o.Clients, cancellationToken);
        var trial = await session.RunTrialAsync(fleet, o.Rate.PerSecond, 0, report =>
        {
            var rss = report.Server is { } s ? (s.RssKb / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "n/a";
            ProgressLog.Write(string.Create(CultureInfo.InvariantCulture,
                $"soak {report.AtSeconds,6:0} s  {report.DeliveredPerSec,9:N0}/s  p50 {report.Latency.P50Ms,7:0.###} ms  p99 {report.Latency.P99Ms,8:0.###} ms  max {report.Latency.MaxMs,8:0.###} ms  server {report.ServerCores ?? 0,4:0.00} cores  rss {rss}  fds {report.Server?.FileDescriptors}  lost {report.LostSoFar}"));
        }, cancellationToken);

        var result = session.NewResult();
        session.Fill(result, trial, before);
        result.RateMode = "fixed";
        BenchSession.RecordConnect(result, fleet);
        result.Intervals = [.. trial.Intervals.Where(i => i.Server is not null || i.DeliveredPerSec > 0).Select(i => new SoakInterval
        {
            AtS = Math.Round(i.AtSeconds, 1),
            DeliveredPerSec = Math.Round(i.DeliveredPerSec, 1),
            P50Ms = i.Latency.P50Ms,
            P99Ms = i.Latency.P99Ms,
            MaxMs = i.Latency.MaxMs,
            ServerRssMb = i.Server is { } s ? Math.Round(s.RssKb / 1024.0, 1) : null,
            ServerFds = i.Server?.FileDescriptors,
            ServerCpuCores = i.ServerCores is { } c ? Math.Round(c, 3) : null,
            LostSoFar = i.LostSoFar,
        })];
        if (result.Intervals.Count >= 2 && result.Intervals[0].ServerRssMb is { } first && result.Intervals[^1].ServerRssMb is { } last)
        {
            result.Notes.Add($"server RSS went from {first:0.0} MB to {last:0.0} MB over the window ({last - first:+0.0;-0.0} MB)");
        }

        return result;
    }
}
