using HdrHistogram;
using Parley.Bench.Cli;
using Parley.Bench.Load;
using Parley.Bench.Metrics;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios;

/// <summary>
/// login: dm at --rate alone (the baseline), then the same dm while --storm-clients connections log in and out
/// over and over. Reports logins/s during the storm, the dm p99 against the baseline's, and the target
/// 0.9 × server cores ÷ (one bcrypt verification at the server's cost, timed here with the same library).
/// </summary>
internal sealed class LoginScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "login",
        "a storm of logins (--storm-clients at once, each connect+login+close in a loop) while dm traffic runs",
        FlagGroups.Common | FlagGroups.Target | FlagGroups.Spawn | FlagGroups.Duration | FlagGroups.Traffic | FlagGroups.Storm,
        o => o with { Clients = 100, Size = 256, Rate = RateSetting.Fixed(1000), DurationSeconds = 10, WarmupSeconds = 3, StormClients = 4 },
        MinClients: 2);

    public async Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var o = session.Options;
        await session.PrepareAccountsAsync(0, o.Clients + o.StormClients, cancellationToken);
        var before = session.SampleServer();
        var bcryptMs = BcryptTimer.MedianVerifyMilliseconds(o.BcryptCost);
        ProgressLog.Write($"one bcrypt verification at cost {o.BcryptCost} takes {bcryptMs:0.###} ms here");
        var fleet = await session.ConnectAsync(0, o.Clients, cancellationToken);

        ProgressLog.Write("baseline: dm alone");
        var baseline = await session.RunTrialAsync(fleet, o.Rate.PerSecond, 0, null, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

        ProgressLog.Write($"storm: dm with {o.StormClients} connections logging in and out");
        var storm = new LoginStorm(session.Target, o.Clients, o.StormClients);
        storm.Start();
        TrialResult during;
        try
        {
            during = await session.RunTrialAsync(fleet, o.Rate.PerSecond, 1, null, cancellationToken);
        }
        finally
        {
            await storm.StopAsync();
        }

        var result = session.NewResult();
        session.Fill(result, during, before);
        result.RateMode = "fixed";
        BenchSession.RecordConnect(result, fleet);

        var logins = storm.LoginTicksBetween(during.GeneratorStart.Timestamp, during.GeneratorEnd.Timestamp);
        var times = new LongHistogram(1, LatencyRecorder.HighestMicroseconds, 3);
        foreach (var ticks in logins)
        {
            times.RecordValue(Math.Clamp(LatencyRecorder.TicksToMicroseconds(ticks), 1, LatencyRecorder.HighestMicroseconds));
        }

        var loginTimes = LatencySummary.Of(times);
        var serverCores = session.ServerPid is { } pid && Platform.CpuPinning.AllowedCpus(pid) is { Count: > 0 } cpus ? cpus.Count : Environment.ProcessorCount;
        var target = 0.9 * serverCores / (bcryptMs / 1000.0);
        result.Login = new LoginFigures
        {
            StormClients = o.StormClients,
            Logins = logins.Count,
            Failures = storm.Failures,
            FirstFailure = storm.FirstFailure,
            LoginsPerSec = Math.Round(logins.Count / during.WindowSeconds, 1),
            LoginP50Ms = loginTimes.P50Ms,
            LoginP99Ms = loginTimes.P99Ms,
            BcryptCost = o.BcryptCost,
            BcryptVerifyMs = Math.Round(bcryptMs, 3),
            ServerCores = serverCores,
            TargetLoginsPerSec = Math.Round(target, 1),
            BaselineP50Ms = baseline.Latency.P50Ms,
            BaselineP99Ms = baseline.Latency.P99Ms,
            BaselineDeliveredPerSec = Math.Round(baseline.DeliveredPerSec, 1),
            StormP99Ms = during.Latency.P99Ms,
            StormP99OverBaseline = baseline.Latency.P99Ms > 0 ? Math.Round(during.Latency.P99Ms / baseline.Latency.P99Ms, 2) : 0,
        };
        result.Notes.Add("each storm login is a new connection: TCP, TLS, the RSA key exchange and bcrypt, then a presence broadcast to every online user (and another on hang-up)");
        if (session.Target.OwnsServer is false)
        {
            result.Notes.Add($"the target is external: the login target assumes its bcrypt cost is --bcrypt-cost {o.BcryptCost}");
        }

        return result;
    }
}
