using Parley.Bench.Load;

namespace Parley.Bench.Tests;

public sealed class RateSearchTests
{
    private static Task<RateSearchResult<double>> Search(double capacity, double start = 1000, int maxTrials = 20) =>
        RateSearch.RunAsync<double>(
            new RateSearchSettings(start, maxTrials),
            (rate, _) => Task.FromResult((rate, rate <= capacity ? (string?)null : "p99 too high", false)));

    [Theory]
    [InlineData(12_345)]
    [InlineData(3_000)]
    [InlineData(1_000)]
    [InlineData(250)]
    public async Task RunAsync_FindsTheHighestPassingRate_WithinFivePercent(double capacity)
    {
        var result = await Search(capacity);

        Assert.NotNull(result.Best);
        Assert.True(result.Best <= capacity);
        Assert.True(result.Best >= capacity * 0.95 / 1.01, $"best {result.Best} for capacity {capacity}");
        Assert.True(result.BestProbe!.Passed);
    }

    [Fact]
    public async Task RunAsync_DoublesThenBisects()
    {
        var result = await Search(5000);

        Assert.Equal([1000, 2000, 4000, 8000, 6000, 5000, 5500], result.Probes.Select(p => p.Rate).Take(7));
    }

    [Fact]
    public async Task RunAsync_NothingPasses_ReportsNoBest()
    {
        var result = await Search(capacity: 1);

        Assert.Null(result.Best);
        Assert.Null(result.BestProbe);
        Assert.All(result.Probes, p => Assert.False(p.Passed));
    }

    [Fact]
    public async Task RunAsync_StopsAfterMaxTrials()
    {
        var result = await Search(capacity: 1e9, maxTrials: 3);

        Assert.Equal(3, result.Probes.Count);
        Assert.Equal(4000, result.Best);
    }

    [Fact]
    public async Task RunAsync_AbortingTrial_EndsTheSearch()
    {
        var result = await RateSearch.RunAsync<int>(
            new RateSearchSettings(1000, 10),
            (rate, _) => Task.FromResult((0, rate > 1000 ? "disconnected" : (string?)null, rate > 1000)));

        Assert.Equal(2, result.Probes.Count);
        Assert.Equal(1000, result.Best);
        Assert.Contains("aborted", result.StoppedBecause, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1749.99, 1750)]
    [InlineData(12_345, 12_300)]
    [InlineData(87.5, 88)]
    [InlineData(1_000_000, 1_000_000)]
    public void Round_KeepsThreeSignificantDigits(double rate, double expected) => Assert.Equal(expected, RateSearch.Round(rate));
}
