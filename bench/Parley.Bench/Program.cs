using Parley.Bench.Cli;
using Parley.Bench.Platform;
using Parley.Bench.Reporting;
using Parley.Bench.Scenarios;
using Parley.Bench.Targets;
using Parley.Bench.Targets.Floor;

namespace Parley.Bench;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == FloorEchoServer.Command)
        {
            return await FloorEchoServer.RunAsync(args[1..]);
        }

        ParsedCommand command;
        try
        {
            command = CommandLine.Parse(args, ScenarioCatalog.Specs);
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"{CommandLine.Program}: {ex.Message}");
            return 2;
        }

        if (command.HelpText is { } help)
        {
            Console.Out.Write(help);
            return 0;
        }

        var options = command.Options!;
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (await CpuPinning.ReexecPinnedAsync(options.ClientCpus, args) is { } childExit)
        {
            return childExit;
        }

        var fdLimit = FileDescriptorLimit.Raise();
        var scenario = ScenarioCatalog.Find(command.Scenario!);
        try
        {
            if (scenario is Scenarios.Compare.CompareScenario compare)
            {
                var report = await compare.CompareAsync(options, fdLimit, cancel.Token);
                Console.Out.Write(options.Json ? Scenarios.Compare.CompareTable.Json(report) + Environment.NewLine : Scenarios.Compare.CompareTable.Render(report));
                return 0;
            }

            BenchResult result;
            await using (var session = await BenchSession.OpenAsync(scenario, options, fdLimit, cancel.Token))
            {
                result = await scenario.RunAsync(session, cancel.Token);
                ProgressLog.Write("done; closing connections and stopping what was spawned");
            }

            Console.Out.Write(options.Json ? TableWriter.Json(result) + Environment.NewLine : TableWriter.Render(result));
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"{CommandLine.Program}: interrupted");
            return 130;
        }
        catch (Exception ex) when (ex is BenchTargetException or BenchFailedException or UsageException)
        {
            await Console.Error.WriteLineAsync($"{CommandLine.Program}: {ex.Message}");
            return ex is UsageException ? 2 : 1;
        }
        catch (Exception ex)
        {
            // Still one line: the instrument failed, not the server; the type says where to look.
            await Console.Error.WriteLineAsync($"{CommandLine.Program}: failed unexpectedly: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }
}
