using System.Globalization;

namespace Parley.Bench.Cli;

/// <summary><c>--rate R</c> (messages per second over all clients, Poisson arrivals) or <c>--rate max</c> (search).</summary>
public readonly record struct RateSetting(double PerSecond, bool IsMax)
{
    public static RateSetting Max => new(0, true);

    public static RateSetting Fixed(double perSecond) => new(perSecond, false);

    public static bool TryParse(string text, out RateSetting rate)
    {
        if (string.Equals(text, "max", StringComparison.OrdinalIgnoreCase))
        {
            rate = Max;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
        {
            rate = Fixed(value);
            return true;
        }

        rate = default;
        return false;
    }

    public override string ToString() => IsMax ? "max" : PerSecond.ToString("0.###", CultureInfo.InvariantCulture);
}
