using System.Text;

namespace Parley.Bench.Cli;

/// <summary>What the command line needs to know of a scenario: its name, its flags and its defaults.</summary>
public sealed record ScenarioSpec(
    string Name,
    string Summary,
    FlagGroups Groups,
    Func<BenchOptions, BenchOptions> Defaults,
    int MinClients = 1,
    bool NeedsTarget = true);

/// <summary>A parsed command line: a scenario to run, or help to print.</summary>
public sealed record ParsedCommand(ScenarioSpec? Scenario, BenchOptions? Options, string? HelpText);

/// <summary>
/// <c>parley-bench SCENARIO [flags]</c>. Flags take <c>--flag value</c> or <c>--flag=value</c>; a flag that does not
/// apply to the scenario is an error, so a typo never silently runs something else.
/// </summary>
public static class CommandLine
{
    public const string Program = "parley-bench";

    public static ParsedCommand Parse(IReadOnlyList<string> args, IReadOnlyList<ScenarioSpec> scenarios)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(scenarios);
        if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
        {
            return new ParsedCommand(null, null, GeneralHelp(scenarios));
        }

        var scenario = scenarios.FirstOrDefault(s => s.Name == args[0])
            ?? throw new UsageException($"unknown scenario '{args[0]}' (one of: {string.Join(", ", scenarios.Select(s => s.Name))})");
        var options = scenario.Defaults(new BenchOptions { Scenario = scenario.Name });
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return new ParsedCommand(scenario, null, ScenarioHelp(scenario));
            }

            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            var flag = Flags.Find(name) ?? throw new UsageException($"unknown option '{name}' (see {Program} {scenario.Name} --help)");
            if ((scenario.Groups & flag.Group) == 0)
            {
                throw new UsageException($"{name} does not apply to {scenario.Name} (see {Program} {scenario.Name} --help)");
            }

            string value;
            if (flag.IsSwitch)
            {
                value = inline ?? string.Empty;
            }
            else
            {
                value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value ({flag.Value})"));
            }

            options = flag.Apply(options, value);
            given.Add(name);
        }

        Validate(scenario, options, given);
        return new ParsedCommand(scenario, options, null);
    }

    private static void Validate(ScenarioSpec scenario, BenchOptions o, HashSet<string> given)
    {
        if (scenario.NeedsTarget)
        {
            if (o.Spawn == (o.Target is not null))
            {
                throw new UsageException($"{scenario.Name} needs exactly one target: --spawn, or --target parley://HOST:PORT");
            }

            if (o.Target is not null)
            {
                foreach (var spawnOnly in new[] { "--server-dll", "--outbound-queue", "--server-arg", "--server-cpus", "--server-env" })
                {
                    if (given.Contains(spawnOnly))
                    {
                        throw new UsageException($"{spawnOnly} applies to a server this instrument starts (--spawn), not to --target");
                    }
                }
            }
            else if (given.Contains("--server-pid") || given.Contains("--fingerprint"))
            {
                throw new UsageException("--server-pid and --fingerprint go with --target; --spawn knows its server");
            }
        }

        if (o.Clients < scenario.MinClients)
        {
            throw new UsageException($"{scenario.Name} needs --clients of at least {scenario.MinClients}");
        }

        if (o.Clients > Metrics.PayloadHeader.MaxSender)
        {
            throw new UsageException($"--clients is at most {Metrics.PayloadHeader.MaxSender:N0}");
        }

        if (o.Rate.IsMax && (scenario.Groups & FlagGroups.Search) == 0)
        {
            throw new UsageException($"--rate max applies to dm and floor; {scenario.Name} runs at a fixed --rate");
        }
    }

    public static string GeneralHelp(IReadOnlyList<ScenarioSpec> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var text = new StringBuilder();
        text.AppendLine($"{Program}: drives a Parley server and reports what it measured");
        text.AppendLine();
        text.AppendLine($"Usage: {Program} SCENARIO (--spawn | --target parley://HOST:PORT [--server-pid PID]) [options]");
        text.AppendLine();
        text.AppendLine("Scenarios:");
        foreach (var scenario in scenarios)
        {
            text.Append("  ").Append(scenario.Name.PadRight(8)).AppendLine(scenario.Summary);
        }

        text.AppendLine();
        text.AppendLine($"Example: {Program} dm --spawn --clients 1000 --size 256 --rate 10000 --duration 15 --json");
        text.AppendLine($"Pinned:  {Program} dm --spawn --server-cpus 0 --client-cpus 1 ...   (see docs/performance.md)");
        text.AppendLine($"'{Program} SCENARIO --help' lists the options of one scenario with their defaults.");
        return text.ToString();
    }

    public static string ScenarioHelp(ScenarioSpec scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var defaults = scenario.Defaults(new BenchOptions { Scenario = scenario.Name });
        var text = new StringBuilder();
        text.AppendLine($"{Program} {scenario.Name}: {scenario.Summary}");
        text.AppendLine();
        text.AppendLine($"Usage: {Program} {scenario.Name} {(scenario.NeedsTarget ? "(--spawn | --target parley://HOST:PORT) " : string.Empty)}[options]");
        text.AppendLine();
        text.AppendLine("Options:");
        foreach (var flag in Flags.All.Where(f => (scenario.Groups & f.Group) != 0))
        {
            var left = $"  {flag.Name}{(flag.IsSwitch ? string.Empty : " " + flag.Value)}";
            text.Append(left.PadRight(34)).Append(flag.Help);
            var shown = flag.Default?.Invoke(defaults);
            text.AppendLine(string.IsNullOrEmpty(shown) ? string.Empty : $" [default: {shown}]");
        }

        text.AppendLine("  --help".PadRight(34) + "show this help");
        return text.ToString();
    }
}
