namespace Parley.Bench.Load;

/// <summary>One trial of a search: the rate, what it measured, and why it failed (null: it passed).</summary>
public sealed record RateProbe<T>(double Rate, T Result, string? Failure)
{
    public bool Passed => Failure is null;
}

/// <summary>The highest rate that passed (null: none did) and every trial in the order run.</summary>
public sealed record RateSearchResult<T>(double? Best, IReadOnlyList<RateProbe<T>> Probes, string? StoppedBecause)
{
    public RateProbe<T>? BestProbe => Best is { } best ? Probes.LastOrDefault(p => p.Passed && p.Rate == best) : null;
}

/// <summary>
/// <c>--rate max</c>: from a start rate, double while trials pass, halve while they fail, then bisect between the
/// highest pass and the lowest failure until they are within <paramref name="Precision"/> of each other or the
/// trials run out. A trial may abort the search (its connections broke): later trials would measure nothing.
/// </summary>
public sealed record RateSearchSettings(double Start, int MaxTrials, double Precision = 0.05, double Ceiling = 2_000_000, double Floor = 10);

public static class RateSearch
{
    public static async Task<RateSearchResult<T>> RunAsync<T>(
        RateSearchSettings settings,
        Func<double, CancellationToken, Task<(T Result, string? Failure, bool Abort)>> trial,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trial);
        var probes = new List<RateProbe<T>>();
        double? pass = null;
        double? fail = null;
        var rate = Round(settings.Start);
        string? stopped = null;
        while (true)
        {
            if (probes.Count >= settings.MaxTrials)
            {
                stopped = $"{settings.MaxTrials} trials run";
                break;
            }

            var (result, failure, abort) = await trial(rate, cancellationToken);
            probes.Add(new RateProbe<T>(rate, result, failure));
            if (failure is null)
            {
                pass = Math.Max(pass ?? 0, rate);
            }
            else
            {
                fail = Math.Min(fail ?? double.MaxValue, rate);
            }

            if (abort)
            {
                stopped = $"aborted at {rate}: {failure}";
                break;
            }

            double next;
            if (fail is null)
            {
                next = Round(rate * 2);
                if (next > settings.Ceiling)
                {
                    stopped = $"passed up to the ceiling of {settings.Ceiling}";
                    break;
                }
            }
            else if (pass is null)
            {
                next = Round(rate / 2);
                if (next < settings.Floor)
                {
                    stopped = $"failed down to the floor of {settings.Floor}";
                    break;
                }
            }
            else
            {
                if ((fail.Value - pass.Value) / pass.Value <= settings.Precision)
                {
                    stopped = $"bracketed within {settings.Precision:P0}";
                    break;
                }

                next = Round((pass.Value + fail.Value) / 2);
                if (next <= pass.Value || next >= fail.Value)
                {
                    stopped = "bracket cannot be split further";
                    break;
                }
            }

            rate = next;
        }

        return new RateSearchResult<T>(pass, probes, stopped);
    }

    /// <summary>Three significant digits, so rates read as 1000, 1500, 1750 rather than 1749.99.</summary>
    public static double Round(double rate)
    {
        if (rate <= 0)
        {
            return rate;
        }

        var digits = (int)Math.Floor(Math.Log10(rate)) + 1;
        var scale = Math.Pow(10, Math.Max(0, digits - 3));
        return Math.Round(rate / scale) * scale;
    }
}
