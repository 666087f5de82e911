using System.Diagnostics;
using BCryptNet = BCrypt.Net.BCrypt;

namespace Parley.Bench.Metrics;

/// <summary>
/// How long one bcrypt verification takes on this machine at a cost, measured with the same library the server
/// uses and an input of the server's shape (the base64 of an HMAC-SHA-256, 44 characters). The median of several.
/// </summary>
public static class BcryptTimer
{
    public static double MedianVerifyMilliseconds(int cost, int minimumRuns = 7, double minimumSeconds = 0.5)
    {
        var input = Convert.ToBase64String(new byte[32]);
        var hash = BCryptNet.HashPassword(input, cost);
        BCryptNet.Verify(input, hash);
        var samples = new List<double>();
        var started = Stopwatch.GetTimestamp();
        while (samples.Count < minimumRuns || (Stopwatch.GetElapsedTime(started).TotalSeconds < minimumSeconds && samples.Count < 1000))
        {
            var before = Stopwatch.GetTimestamp();
            BCryptNet.Verify(input, hash);
            samples.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
        }

        samples.Sort();
        return samples[samples.Count / 2];
    }
}
