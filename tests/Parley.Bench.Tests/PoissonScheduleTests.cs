using System.Diagnostics;
using Parley.Bench.Load;

namespace Parley.Bench.Tests;

public sealed class PoissonScheduleTests
{
    [Fact]
    public void NextGapSeconds_HasMeanOfOneOverRate()
    {
        var random = new Random(42);
        const double Rate = 5000;
        const int Samples = 400_000;
        var sum = 0.0;
        var sumSquares = 0.0;
        for (var i = 0; i < Samples; i++)
        {
            var gap = PoissonSchedule.NextGapSeconds(random, Rate);
            Assert.True(gap >= 0 && double.IsFinite(gap));
            sum += gap;
            sumSquares += gap * gap;
        }

        var mean = sum / Samples;
        var variance = (sumSquares / Samples) - (mean * mean);

        // Exponential: mean 1/rate and standard deviation 1/rate too.
        Assert.InRange(mean * Rate, 0.99, 1.01);
        Assert.InRange(Math.Sqrt(variance) * Rate, 0.98, 1.02);
    }

    [Fact]
    public void Create_SchedulesAboutRateTimesDuration_InOrder()
    {
        var schedule = PoissonSchedule.Create(2000, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), seed: 7);

        // 20,000 expected; the Poisson standard deviation is about 141.
        Assert.InRange(schedule.Count, 19_400, 20_600);
        for (var i = 1; i < schedule.Offsets.Length; i++)
        {
            Assert.True(schedule.Offsets[i] >= schedule.Offsets[i - 1]);
        }

        Assert.True(schedule.Offsets[^1] < schedule.TotalTicks);
        Assert.Equal(10L * Stopwatch.Frequency, schedule.TotalTicks);
    }

    [Fact]
    public void Create_WindowFirst_IsTheFirstMessageAfterTheWarmup()
    {
        var schedule = PoissonSchedule.Create(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), seed: 3);

        Assert.True(schedule.Offsets[schedule.WindowFirst] >= schedule.WarmupTicks);
        Assert.True(schedule.Offsets[schedule.WindowFirst - 1] < schedule.WarmupTicks);
        Assert.InRange(schedule.WindowCount, 850, 1150);
    }

    [Fact]
    public void Create_WithoutWarmup_MeasuresFromTheFirstMessage()
    {
        var schedule = PoissonSchedule.Create(100, TimeSpan.Zero, TimeSpan.FromSeconds(1), seed: 1);

        Assert.Equal(0, schedule.WindowFirst);
        Assert.Equal(schedule.Count, schedule.WindowCount);
    }

    [Fact]
    public void Create_SameSeed_SameSchedule_OtherSeed_Different()
    {
        var a = PoissonSchedule.Create(500, TimeSpan.Zero, TimeSpan.FromSeconds(2), seed: 11);
        var b = PoissonSchedule.Create(500, TimeSpan.Zero, TimeSpan.FromSeconds(2), seed: 11);
        var c = PoissonSchedule.Create(500, TimeSpan.Zero, TimeSpan.FromSeconds(2), seed: 12);

        Assert.Equal(a.Offsets, b.Offsets);
        Assert.NotEqual(a.Offsets, c.Offsets);
    }

    [Fact]
    public void Create_TooManyMessages_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            PoissonSchedule.Create(1e9, TimeSpan.Zero, TimeSpan.FromSeconds(1), seed: 1));
    }
}
