using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios.Compare;

/// <summary>One target of a compare run: the headline figures, its ratios to Parley, and the full result it came from.</summary>
public sealed class CompareRow
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public required string Target { get; set; }
    public string? Endpoint { get; set; }
    public string? Transport { get; set; }
    public string? Nagle { get; set; }

    /// <summary>Why this target has no figures (not installed, failed to start…); null when it ran.</summary>
    public string? Skipped { get; set; }

    public double? DeliveredPerSec { get; set; }
    public double? Rate { get; set; }
    public double? P50Ms { get; set; }
    public double? P99Ms { get; set; }
    public double? MaxMs { get; set; }
    public long? Lost { get; set; }
    public long? SendErrors { get; set; }
    public double? ServerCpuUsPerMsg { get; set; }
    public double? ServerCpuCores { get; set; }

    /// <summary>delivered/s ÷ Parley's (the max rates, with --rate max).</summary>
    public double? ThroughputVsParley { get; set; }

    /// <summary>Server CPU per message ÷ Parley's: above 1 costs more than Parley.</summary>
    public double? CpuVsParley { get; set; }

    public double? ServerRssMb { get; set; }

    /// <summary>(RSS once connected and quiet − RSS before connecting) ÷ clients: one idle connection.</summary>
    public double? IdleRssKbPerConnection { get; set; }

    public double? GeneratorCpuCores { get; set; }
    public double? GeneratorCpuUsPerMsg { get; set; }
    public bool? GeneratorSaturated { get; set; }
    public double? OtherCpuCores { get; set; }

    public List<string> Notes { get; set; } = [];

    /// <summary>Everything the run measured, as <c>parley-bench dm --json</c> prints it.</summary>
    public BenchResult? Detail { get; set; }
}

/// <summary>The compare command's one result: the shared settings and one row per target.</summary>
public sealed class CompareReport
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string Scenario { get; set; } = "compare";
    public string Workload { get; set; } = "dm";
    public int Clients { get; set; }
    public int Size { get; set; }
    public string? Rate { get; set; }
    public double WarmupS { get; set; }
    public double DurationS { get; set; }
    public string? ServerCpus { get; set; }
    public string? GeneratorCpus { get; set; }
    public string? Certificate { get; set; }
    public List<CompareRow> Rows { get; set; } = [];
    public List<string> Notes { get; set; } = [];
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(CompareReport))]
internal sealed partial class CompareJsonContext : JsonSerializerContext;

/// <summary>The compare table: one line per target, then each target's notes.</summary>
internal static class CompareTable
{
    public static string Json(CompareReport report) => JsonSerializer.Serialize(report, CompareJsonContext.Default.CompareReport);

    public static string Render(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"parley-bench compare: {report.Workload}, {report.Clients:N0} clients, {report.Size} B, rate {report.Rate}, {report.DurationS} s after {report.WarmupS} s warm-up"));
        text.AppendLine($"server cpus {report.ServerCpus ?? "any"}, generator cpus {report.GeneratorCpus ?? "any"}; certificate {report.Certificate}");
        text.AppendLine();

        string[] header = ["target", "nagle", "deliv/s", "p50 ms", "p99 ms", "max ms", "lost", "srv µs/msg", "×thr", "×cpu", "srv cores", "rss MB", "idle KB/conn", "gen cores"];
        var rows = new List<string[]> { header };
        foreach (var r in report.Rows)
        {
            if (r.Skipped is not null)
            {
                rows.Add([r.Target, r.Nagle ?? "-", "skipped", "", "", "", "", "", "", "", "", "", "", ""]);
                continue;
            }

            rows.Add(
            [
                r.Target,
                ShortNagle(r.Nagle),
                N(r.DeliveredPerSec, "N0"),
                N(r.P50Ms, "0.00"),
                N(r.P99Ms, "0.00"),
                N(r.MaxMs, "0.0"),
                r.Lost is { } lost ? (r.SendErrors is > 0 ? $"{lost}+{r.SendErrors}err" : lost.ToString(CultureInfo.InvariantCulture)) : "",
                N(r.ServerCpuUsPerMsg, "0.0"),
                N(r.ThroughputVsParley, "0.00"),
                N(r.CpuVsParley, "0.00"),
                N(r.ServerCpuCores, "0.00"),
                N(r.ServerRssMb, "0.0"),
                N(r.IdleRssKbPerConnection, "0.0"),
                N(r.GeneratorCpuCores, "0.00") + (r.GeneratorSaturated == true ? "!" : string.Empty),
            ]);
        }

        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                var cell = c == 0 || c == 1 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]);
                text.Append(c == 0 ? "  " : "  ").Append(cell);
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine("  ×thr: delivered/s ÷ Parley's; ×cpu: server CPU per message ÷ Parley's; gen cores ending in ! = generator saturated (> 0.9 cores)");
        text.AppendLine();
        text.AppendLine("targets");
        foreach (var r in report.Rows)
        {
            text.AppendLine($"  {r.Target}: {r.Endpoint}; {r.Transport}; Nagle {r.Nagle}");
            if (r.Skipped is not null)
            {
                text.AppendLine($"    - skipped: {r.Skipped}");
            }

            foreach (var note in r.Notes)
            {
                text.AppendLine($"    - {note}");
            }
        }

        if (report.Notes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("notes");
            foreach (var note in report.Notes)
            {
                text.AppendLine($"  - {note}");
            }
        }

        return text.ToString();
    }

    private static string ShortNagle(string? nagle) => nagle is null ? "-" : nagle.Split(' ')[0];

    private static string N(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";
}
