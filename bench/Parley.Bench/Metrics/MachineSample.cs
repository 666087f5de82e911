using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench.Metrics;

/// <summary>
/// The whole machine's CPU time from the first line of /proc/stat (clock ticks), so a run can tell how much of the
/// machine something other than the server and the generator used: on a shared 2-core machine that is the noise.
/// </summary>
public sealed record MachineSample(long Timestamp, double BusySeconds, double StealSeconds)
{
    public static MachineSample? TryTake()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return Parse(reader.ReadLine() ?? string.Empty, Stopwatch.GetTimestamp());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses <c>cpu user nice system idle iowait irq softirq steal …</c>; busy is everything but idle and iowait.</summary>
    public static MachineSample? Parse(string line, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }

        var ticks = new long[8];
        for (var i = 0; i < ticks.Length; i++)
        {
            if (!long.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out ticks[i]))
            {
                return null;
            }
        }

        double perSecond = ProcessSampler.ClockTicksPerSecond;
        var busy = ticks.Sum() - ticks[3] - ticks[4];
        return new MachineSample(timestamp, busy / perSecond, ticks[7] / perSecond);
    }

    public double CoresSince(MachineSample earlier)
    {
        var wall = Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;
        return wall > 0 ? (BusySeconds - earlier.BusySeconds) / wall : 0;
    }
}
