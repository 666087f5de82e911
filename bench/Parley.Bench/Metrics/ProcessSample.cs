using System.Diagnostics;
using System.Globalization;
using Parley.Bench.Platform;

namespace Parley.Bench.Metrics;

/// <summary>One reading of a process from /proc: CPU time (utime+stime), resident memory, open files, threads.</summary>
public sealed record ProcessSample(long Timestamp, double CpuSeconds, long RssKb, int FileDescriptors, int Threads)
{
    /// <summary>Seconds of wall time from <paramref name="earlier"/> to this sample.</summary>
    public double SecondsSince(ProcessSample earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;

    /// <summary>Average cores used between <paramref name="earlier"/> and this sample.</summary>
    public double CoresSince(ProcessSample earlier)
    {
        var wall = SecondsSince(earlier);
        return wall > 0 ? (CpuSeconds - earlier.CpuSeconds) / wall : 0;
    }
}

/// <summary>Reads <see cref="ProcessSample"/>s of any process on this machine (Linux /proc; null elsewhere or once it has exited).</summary>
public static class ProcessSampler
{
    private static readonly Lazy<long> ClockTicks = new(() =>
    {
        // sysconf(_SC_CLK_TCK) is 100 on every Linux we know of; ask anyway, once.
        try
        {
            var ticks = OperatingSystem.IsLinux() ? Native.SysConf(Native.ScClkTck) : 100;
            return ticks > 0 ? ticks : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    });

    public static long ClockTicksPerSecond => ClockTicks.Value;

    public static ProcessSample? TrySample(int pid)
    {
        var timestamp = Stopwatch.GetTimestamp();
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var status = File.ReadAllText($"/proc/{pid}/status");
            if (!TryParseStatTimes(stat, out var utime, out var stime))
            {
                return null;
            }

            var fds = CountFileDescriptors(pid);
            return new ProcessSample(
                timestamp,
                (utime + stime) / (double)ClockTicksPerSecond,
                StatusValue(status, "VmRSS:") ?? 0,
                fds,
                (int)(StatusValue(status, "Threads:") ?? 0));
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

    /// <summary>
    /// utime and stime (fields 14 and 15, clock ticks) of a /proc/PID/stat line. The command name in field 2 may hold
    /// spaces and parentheses, so fields are counted from the last ')'.
    /// </summary>
    public static bool TryParseStatTimes(string stat, out long utime, out long stime)
    {
        ArgumentNullException.ThrowIfNull(stat);
        utime = stime = 0;
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        // After ") " come field 3 (state) onwards: utime is field 14, the 12th after the name.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out utime)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out stime);
    }

    /// <summary>A number from /proc/PID/status, e.g. <c>VmRSS:    1234 kB</c> gives 1234.</summary>
    public static long? StatusValue(string status, string key)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var rest = line[key.Length..].Trim();
                var space = rest.IndexOf(' ');
                var number = space < 0 ? rest : rest[..space];
                return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }

        return null;
    }

    private static int CountFileDescriptors(int pid)
    {
        var count = 0;
        foreach (var _ in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            count++;
        }

        return count;
    }
}
