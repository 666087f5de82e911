using System.Diagnostics;

namespace Parley.Bench.Metrics;

/// <summary>The generator's own cost: CPU from the runtime, GC counts and pause time.</summary>
public sealed record GeneratorSample(long Timestamp, double CpuSeconds, long RssKb, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
{
    public static GeneratorSample Take()
    {
        using var self = Process.GetCurrentProcess();
        return new GeneratorSample(
            Stopwatch.GetTimestamp(),
            self.TotalProcessorTime.TotalSeconds,
            Environment.WorkingSet / 1024,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration());
    }

    public double CoresSince(GeneratorSample earlier)
    {
        var wall = Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;
        return wall > 0 ? (CpuSeconds - earlier.CpuSeconds) / wall : 0;
    }
}
