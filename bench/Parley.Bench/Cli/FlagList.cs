namespace Parley.Bench.Cli;

/// <summary>A flag's comma-separated list of distinct values (<c>--targets</c>, <c>--mqtt-qos</c>, <c>--parley-ack</c>).</summary>
internal static class FlagList
{
    public delegate bool ItemReader<T>(string item, out T value);

    /// <summary>Each item read by <paramref name="read"/>; an empty list, an unreadable or a repeated item is <paramref name="error"/>.</summary>
    public static List<T> Distinct<T>(string text, ItemReader<T> read, string error)
    {
        var values = new List<T>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!read(item, out var value) || values.Contains(value))
            {
                throw new UsageException(error);
            }

            values.Add(value);
        }

        return values.Count > 0 ? values : throw new UsageException(error);
    }
}
