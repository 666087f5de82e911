using Parley.Bench.Load;
using Parley.Bench.Metrics;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios;

/// <summary>The measured part of dm and floor: one trial at --rate R, or the --rate max search.</summary>
internal static class Traffic
{
    private static readonly TimeSpan BetweenTrials = TimeSpan.FromSeconds(1);

    public static async Task<BenchResult> MeasureAsync(BenchSession session, ClientFleet fleet, ProcessSample? before, CancellationToken cancellationToken)
    {
        var o = session.Options;
        var result = session.NewResult();
        if (!o.Rate.IsMax)
        {
            var trial = await session.RunTrialAsync(fleet, o.Rate.PerSecond, 0, null, cancellationToken);
            session.Fill(result, trial, before);
            result.RateMode = "fixed";
            return result;
        }

        var number = 0;
        var search = await RateSearch.RunAsync<TrialResult>(
            new RateSearchSettings(o.StartRate, o.MaxTrials),
            async (rate, token) =>
            {
                if (number > 0)
                {
                    await Task.Delay(BetweenTrials, token);
                }

                var trial = await session.RunTrialAsync(fleet, rate, number++, null, token);
                var failure = trial.FailureAgainst(o.MaxP99Ms);
                LogTrial(rate, trial, failure);
                return (trial, failure, trial.Disconnected > 0);
            },
            cancellationToken);

        FillSearch(session, result, search, before);
        return result;
    }

    /// <summary>The progress line of one search trial.</summary>
    public static void LogTrial(double rate, TrialResult trial, string? failure) =>
        ProgressLog.Write($"  {rate:N0} msg/s: {(failure is null ? "pass" : "FAIL, " + failure)}; delivered {trial.DeliveredPerSec:N0}/s, p99 {trial.Latency.P99Ms:0.###} ms, generator {trial.GeneratorCores:0.00} cores, server {trial.ServerCores:0.00} cores, others {trial.OtherCores:0.00} cores");

    /// <summary>A --rate max result: the best passing trial's figures (else the lowest rate's), and every trial.</summary>
    public static void FillSearch(BenchSession session, BenchResult result, RateSearchResult<TrialResult> search, ProcessSample? before)
    {
        var o = session.Options;
        var shown = search.BestProbe ?? search.Probes.OrderBy(p => p.Rate).First();
        session.Fill(result, shown.Result, before);
        result.RateMode = "max";
        result.Rate = search.Best;
        result.Search = [.. search.Probes.Select(p => new SearchTrial
        {
            Rate = p.Rate,
            Passed = p.Passed,
            DeliveredPerSec = Math.Round(p.Result.DeliveredPerSec, 1),
            P99Ms = p.Result.Latency.P99Ms,
            Lost = p.Result.Lost,
            SendErrors = p.Result.SendErrors,
            ServerCpuCores = p.Result.ServerCores is { } c ? Math.Round(c, 3) : null,
            GeneratorCpuCores = Math.Round(p.Result.GeneratorCores, 3),
            OtherCpuCores = p.Result.OtherCores is { } other ? Math.Round(other, 3) : null,
            Why = p.Failure,
        })];
        result.Notes.Insert(0, search.Best is { } best
            ? $"highest rate with p99 ≤ {o.MaxP99Ms} ms and no loss: {best:N0} msg/s ({search.StoppedBecause}); the figures are that trial's"
            : $"no rate passed (p99 ≤ {o.MaxP99Ms} ms, no loss; {search.StoppedBecause}); the figures are the lowest rate's trial");
    }
}
