using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench.Reporting;

/// <summary>Progress lines on stderr, stamped with seconds since start, so stdout holds only the result.</summary>
internal static class ProgressLog
{
    private static readonly long Started = Stopwatch.GetTimestamp();
    private static readonly Lock Gate = new();

    public static void Write(string line)
    {
        var seconds = Stopwatch.GetElapsedTime(Started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        lock (Gate)
        {
            Console.Error.WriteLine($"[{seconds,7}s] {line}");
        }
    }

    /// <summary>Writes <paramref name="line"/>() every <paramref name="period"/> until disposed.</summary>
    public static IDisposable Every(TimeSpan period, Func<string> line) =>
        new Timer(_ => Write(line()), null, period, period);
}
