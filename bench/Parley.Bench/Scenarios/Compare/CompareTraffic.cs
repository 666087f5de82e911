using System.Diagnostics;
using Parley.Bench.Load;
using Parley.Bench.Metrics;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios.Compare;

/// <summary>
/// The measured part of a compare row: <see cref="Traffic"/>'s trial or <c>--rate max</c> search, made robust to a
/// shared machine. Comparing five servers one after another only works if each gets the same quiet machine, so a
/// trial during which other processes used more than <see cref="NoisyCores"/> (and, in a search, failed) is run again
/// with the same schedule once the machine is quiet, at most <see cref="Retries"/> times; and after a failed search
/// trial (an overload leaves queues full) the next waits until the server has gone quiet.
/// </summary>
internal static class CompareTraffic
{
    public const double NoisyCores = 0.2;
    public const int Retries = 2;

    private static readonly TimeSpan QuietLimit = TimeSpan.FromSeconds(120);

    public static async Task<BenchResult> MeasureAsync(BenchSession session, ClientFleet fleet, ProcessSample? before, CancellationToken cancellationToken)
    {
        var o = session.Options;
        var result = session.NewResult();
        var retried = new List<string>();
        if (!o.Rate.IsMax)
        {
            var trial = await TrialAsync(session, fleet, o.Rate.PerSecond, 0, failed: false, retried, cancellationToken);
            session.Fill(result, trial, before);
            result.RateMode = "fixed";
            result.Notes.AddRange(retried);
            return result;
        }

        var number = 0;
        var lastFailed = false;
        var search = await RateSearch.RunAsync<TrialResult>(
            new RateSearchSettings(o.StartRate, o.MaxTrials),
            async (rate, token) =>
            {
                if (lastFailed)
                {
                    // An overload leaves the server's queues full: let it empty them before the next rate.
                    await session.SettleAsync(token);
                }
                else if (number > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }

                var trial = await TrialAsync(session, fleet, rate, number++, failed: true, retried, token);
                var failure = trial.FailureAgainst(o.MaxP99Ms);
                lastFailed = failure is not null;
                Traffic.LogTrial(rate, trial, failure);
                return (trial, failure, trial.Disconnected > 0);
            },
            cancellationToken);

        Traffic.FillSearch(session, result, search, before);
        result.Notes.AddRange(retried);
        return result;
    }

    /// <summary>
    /// One trial; run again (same seed, so the same schedule) while other processes were busy during it (and, when
    /// <paramref name="failed"/>, only if it failed), keeping the quietest.
    /// </summary>
    private static async Task<TrialResult> TrialAsync(
        BenchSession session, ClientFleet fleet, double rate, int number, bool failed, List<string> retried, CancellationToken cancellationToken)
    {
        var trial = await session.RunTrialAsync(fleet, rate, number, null, cancellationToken);
        for (var attempt = 1; attempt <= Retries && IsNoisy(trial) && (!failed || trial.FailureAgainst(session.Options.MaxP99Ms) is not null); attempt++)
        {
            var noise = trial.OtherCores ?? 0;
            ProgressLog.Write($"  other processes used {noise:0.00} cores during that trial: waiting for a quiet machine, then running it again");
            var waited = await WaitForQuietMachineAsync(session, cancellationToken);
            var again = await session.RunTrialAsync(fleet, rate, number, null, cancellationToken);
            retried.Add($"the trial at {rate:N0}/s ran again (attempt {attempt + 1}) after other processes used {noise:0.00} cores during it; waited {waited:0} s for quiet; {(again.OtherCores ?? 0):0.00} cores of others the next time");
            if ((again.OtherCores ?? 0) <= noise)
            {
                trial = again;
            }
        }

        return trial;
    }

    private static bool IsNoisy(TrialResult trial) => trial.OtherCores is > NoisyCores;

    /// <summary>Waits until everything but the server and this generator used under <see cref="NoisyCores"/> for three seconds in a row (at most <see cref="QuietLimit"/>); returns the seconds waited.</summary>
    private static async Task<double> WaitForQuietMachineAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var quiet = 0;
        var (machine, server, self) = (MachineSample.TryTake(), session.SampleServer(), GeneratorSample.Take());
        while (quiet < 3 && Stopwatch.GetElapsedTime(started) < QuietLimit && machine is not null)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var (machineNow, serverNow, selfNow) = (MachineSample.TryTake(), session.SampleServer(), GeneratorSample.Take());
            if (machineNow is null)
            {
                break;
            }

            var others = machineNow.CoresSince(machine) - (serverNow is not null && server is not null ? serverNow.CoresSince(server) : 0) - selfNow.CoresSince(self);
            quiet = others < NoisyCores ? quiet + 1 : 0;
            (machine, server, self) = (machineNow, serverNow, selfNow);
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
