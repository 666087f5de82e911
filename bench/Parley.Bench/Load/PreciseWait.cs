using System.Diagnostics;
using Parley.Bench.Platform;

namespace Parley.Bench.Load;

/// <summary>
/// Sleeps a dedicated thread until a <see cref="Stopwatch"/> timestamp with microsecond-scale precision: nanosleep
/// with the thread's timer slack cut to 1 ns (Linux' default slack of 50 µs would add to every latency), no spinning,
/// so the generator's core stays free for the clients. Elsewhere it falls back to Thread.Sleep.
/// </summary>
internal static class PreciseWait
{
    private const long MinimumSleepNanoseconds = 2_000;

    /// <summary>Call once on the thread that will sleep.</summary>
    public static void PrepareThread()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Native.Prctl(Native.PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    public static void Until(long timestamp)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining <= 0)
        {
            return;
        }

        var nanoseconds = (long)(remaining * (1e9 / Stopwatch.Frequency));
        if (nanoseconds < MinimumSleepNanoseconds)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            var request = new Native.TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            _ = Native.NanoSleep(request, IntPtr.Zero);
        }
        else
        {
            Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, nanoseconds / 100)));
        }
    }
}
