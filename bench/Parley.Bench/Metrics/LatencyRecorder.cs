using System.Diagnostics;
using HdrHistogram;

namespace Parley.Bench.Metrics;

/// <summary>Latency percentiles of a histogram, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary Of(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
        return new LatencySummary(
            histogram.TotalCount,
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()),
            Math.Round(histogram.GetMean() / 1000.0, 3));
    }
}

/// <summary>
/// Latencies in microseconds in an HdrHistogram (1 µs to 1 hour, 3 significant digits). Writers on any thread;
/// one reader takes interval snapshots (soak progress) and the total accumulates them.
/// </summary>
public sealed class LatencyRecorder
{
    public const long HighestMicroseconds = 3_600_000_000;

    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1)
        .WithValuesUpTo(HighestMicroseconds)
        .WithPrecisionOf(3)
        .WithThreadSafeWrites()
        .WithThreadSafeReads()
        .Create();

    private readonly HistogramBase _total = new LongHistogram(1, HighestMicroseconds, 3);
    private readonly Lock _read = new();

    public static long TicksToMicroseconds(long ticks) => ticks <= 0 ? 0 : (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>Records one latency; values are clamped to 1 µs … 1 hour.</summary>
    public void Record(long microseconds) => _recorder.RecordValue(Math.Clamp(microseconds, 1, HighestMicroseconds));

    /// <summary>What was recorded since the previous call, folded into the total as well.</summary>
    public LatencySummary TakeInterval()
    {
        lock (_read)
        {
            var interval = _recorder.GetIntervalHistogram();
            _total.Add(interval);
            return LatencySummary.Of(interval);
        }
    }

    /// <summary>Everything recorded so far.</summary>
    public LatencySummary Total()
    {
        lock (_read)
        {
            _total.Add(_recorder.GetIntervalHistogram());
            return LatencySummary.Of(_total);
        }
    }
}
