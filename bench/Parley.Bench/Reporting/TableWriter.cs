using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.Bench.Reporting;

/// <summary>The human-readable report: aligned "name  value" rows in sections, a search or soak table, then notes.</summary>
internal static class TableWriter
{
    public static string Render(BenchResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var text = new StringBuilder();
        Section(text, $"parley-bench {r.Scenario}", [
            ("target", r.Target),
            ("clients", N(r.Clients)),
            ("size", r.Size is { } size ? $"{size} B" : null),
            ("rate", r.Rate is { } rate ? $"{N(rate)} msg/s ({r.RateMode})" : r.RateMode == "max" ? "none passed (max)" : null),
            ("window", r.DurationS is { } d ? $"{d} s after {r.WarmupS ?? 0} s warm-up" : null),
            ("connect", r.ConnectSeconds is { } c ? $"{c:0.0} s ({N(r.ConnectsPerSec)}/s), then {r.SettleSeconds ?? 0:0.0} s until quiet" : null),
        ]);

        if (r.RateMode != "none")
        {
            Section(text, "delivery", [
                ("sent", N(r.Sent)),
                ("delivered", N(r.Delivered)),
                ("lost", N(r.Lost)),
                ("duplicates", N(r.Duplicates)),
                ("reordered", N(r.Reordered)),
                ("send errors", r.SendErrors is > 0 ? $"{N(r.SendErrors)} ({r.FirstSendError})" : N(r.SendErrors)),
                ("delivered/s", N(r.DeliveredPerSec)),
            ]);
            Section(text, "latency from scheduled send (ms)", [
                ("p50 / p90", $"{r.P50Ms:0.###} / {r.P90Ms:0.###}"),
                ("p99 / p99.9", $"{r.P99Ms:0.###} / {r.P999Ms:0.###}"),
                ("max / mean", $"{r.MaxMs:0.###} / {r.MeanMs:0.###}"),
                ("send lag p99 / max", r.SendLagP99Ms is { } lag ? $"{lag:0.###} / {r.SendLagMaxMs:0.###}" : null),
            ]);
        }

        Section(text, "server", [
            ("pid / cpus", r.ServerPid is { } pid ? $"{pid} / {r.ServerCpus}" : null),
            ("cpu per message", r.ServerCpuUsPerMsg is { } us ? $"{us:0.00} µs" : null),
            ("cpu", r.ServerCpuCores is { } cores ? $"{cores:0.000} cores" : null),
            ("rss", r.ServerRssMb is { } rss ? $"{rss:0.0} MB (before connecting {r.ServerRssBeforeMb:0.0} MB)" : null),
            ("rss per connection", r.RssKbPerConnection is { } kb ? $"{kb:0.00} KB" : null),
            ("fds / threads", r.ServerFds is { } fds ? $"{N(fds)} / {r.ServerThreads}" : null),
        ]);

        if (r.Idle is { } idle)
        {
            Section(text, "idle", [
                ("connected", N(idle.Connected)),
                ("settled after", $"{idle.SettleSeconds:0.0} s (rss then {idle.ServerRssSettledMb:0.0} MB)"),
                ("server fds per connection", $"{idle.ServerFdsPerConnection:0.000}"),
                ("generator rss per connection", r.GeneratorRssKbPerConnection is { } g ? $"{g:0.00} KB" : null),
            ]);
        }

        if (r.Login is { } login)
        {
            Section(text, "login storm", [
                ("storm clients", N(login.StormClients)),
                ("logins", $"{N(login.Logins)} ({N(login.LoginsPerSec)}/s), {N(login.Failures)} failed{(login.FirstFailure is null ? string.Empty : $": {login.FirstFailure}")}"),
                ("login time p50 / p99", $"{login.LoginP50Ms:0.###} / {login.LoginP99Ms:0.###} ms"),
                ("bcrypt verify", $"{login.BcryptVerifyMs:0.###} ms at cost {login.BcryptCost}"),
                ("target", $"{N(login.TargetLoginsPerSec)} logins/s (0.9 × {login.ServerCores} cores ÷ bcrypt)"),
                ("dm p99 baseline / storm", $"{login.BaselineP99Ms:0.###} / {login.StormP99Ms:0.###} ms ({login.StormP99OverBaseline:0.00}×)"),
            ]);
        }

        Section(text, "generator", [
            ("cpus", r.GeneratorCpus),
            ("cpu", r.GeneratorCpuCores is { } gc ? $"{gc:0.000} cores{(r.GeneratorSaturated == true ? " (SATURATED)" : string.Empty)}" : null),
            ("cpu per message", r.GeneratorCpuUsPerMsg is { } gus ? $"{gus:0.00} µs" : null),
            ("gc gen0/1/2", r.GeneratorGcGen0 is { } g0 ? $"{g0}/{r.GeneratorGcGen1}/{r.GeneratorGcGen2}, {r.GeneratorGcPauseMs:0.0} ms paused" : null),
            ("rss", r.GeneratorRssMb is { } grss ? $"{grss:0.0} MB" : null),
            ("fd limit", N(r.FdLimit)),
            ("other processes", r.OtherCpuCores is { } other ? $"{other:0.000} cores during the window" : null),
        ]);

        if (r.Search is { Count: > 0 } search)
        {
            text.AppendLine("rate search");
            text.AppendLine("  rate/s      result  delivered/s   p99 ms   lost  server  generator");
            foreach (var t in search)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {t.Rate,-10:N0}  {(t.Passed ? "pass" : "FAIL"),-6}  {t.DeliveredPerSec,11:N0}  {t.P99Ms,7:0.###}  {t.Lost,5}  {t.ServerCpuCores,6:0.00}  {t.GeneratorCpuCores,9:0.00}  {t.Why}"));
            }

            text.AppendLine();
        }

        if (r.Intervals is { Count: > 0 } intervals)
        {
            text.AppendLine("soak intervals");
            text.AppendLine("  at s   delivered/s   p50 ms   p99 ms   rss MB   fds   lost");
            foreach (var i in intervals)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {i.AtS,5:0}  {i.DeliveredPerSec,12:N0}  {i.P50Ms,7:0.###}  {i.P99Ms,7:0.###}  {i.ServerRssMb,7:0.0}  {i.ServerFds,4}  {i.LostSoFar,5}"));
            }

            text.AppendLine();
        }

        if (r.Notes.Count > 0)
        {
            text.AppendLine("notes");
            foreach (var note in r.Notes)
            {
                text.Append("  - ").AppendLine(note);
            }
        }

        return text.ToString();
    }

    public static string Json(BenchResult result) => JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult);

    private static void Section(StringBuilder text, string title, IEnumerable<(string Name, string? Value)> rows)
    {
        var shown = rows.Where(r => r.Value is not null).ToList();
        if (shown.Count == 0)
        {
            return;
        }

        text.AppendLine(title);
        foreach (var (name, value) in shown)
        {
            text.Append("  ").Append(name.PadRight(30)).AppendLine(value);
        }

        text.AppendLine();
    }

    private static string? N(double? value) => value is { } v
        ? v.ToString(Math.Abs(v - Math.Round(v)) < 1e-9 ? "N0" : "N1", CultureInfo.InvariantCulture)
        : null;
}
