using System.Diagnostics;

namespace Parley.Bench.Load;

/// <summary>
/// When each message of an open-loop run is due: Poisson arrivals at a mean rate, that is exponentially distributed
/// gaps (−ln U / rate), computed before the run so sending never waits on arithmetic. Offsets are in
/// <see cref="Stopwatch"/> ticks from the run's start; the same seed gives the same schedule.
/// </summary>
public sealed class PoissonSchedule
{
    /// <summary>A schedule longer than this is refused (8 bytes each): lower --rate or --duration.</summary>
    public const long MaxMessages = 200_000_000;

    private PoissonSchedule(long[] offsets, long windowFirst, long warmupTicks, long totalTicks, double rate)
    {
        Offsets = offsets;
        WindowFirst = windowFirst;
        WarmupTicks = warmupTicks;
        TotalTicks = totalTicks;
        Rate = rate;
    }

    /// <summary>Due time of message i, in ticks from the start; non-decreasing.</summary>
    public long[] Offsets { get; }

    /// <summary>Index of the first message due at or after the warm-up.</summary>
    public long WindowFirst { get; }

    public long WarmupTicks { get; }

    public long TotalTicks { get; }

    public double Rate { get; }

    public long Count => Offsets.LongLength;

    public long WindowCount => Count - WindowFirst;

    /// <summary>Exponential gaps with mean 1/<paramref name="ratePerSecond"/> seconds, in seconds.</summary>
    public static double NextGapSeconds(Random random, double ratePerSecond)
    {
        ArgumentNullException.ThrowIfNull(random);

        // 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        return -Math.Log(1.0 - random.NextDouble()) / ratePerSecond;
    }

    public static PoissonSchedule Create(double ratePerSecond, TimeSpan warmup, TimeSpan duration, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var total = (warmup + duration).TotalSeconds;
        var expected = ratePerSecond * total;
        if (expected > MaxMessages)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ratePerSecond), $"{expected:N0} messages are too many for one schedule (at most {MaxMessages:N0}); lower --rate or --duration.");
        }

        var random = new Random(seed);
        var offsets = new List<long>((int)Math.Min(MaxMessages, expected + (6 * Math.Sqrt(expected)) + 16));
        var frequency = (double)Stopwatch.Frequency;
        var warmupTicks = (long)(warmup.TotalSeconds * frequency);
        var totalTicks = (long)(total * frequency);
        var windowFirst = -1L;
        var at = 0.0;
        while (true)
        {
            at += NextGapSeconds(random, ratePerSecond);
            var ticks = (long)(at * frequency);
            if (ticks >= totalTicks)
            {
                break;
            }

            if (windowFirst < 0 && ticks >= warmupTicks)
            {
                windowFirst = offsets.Count;
            }

            offsets.Add(ticks);
        }

        return new PoissonSchedule([.. offsets], windowFirst < 0 ? offsets.Count : windowFirst, warmupTicks, totalTicks, ratePerSecond);
    }
}
