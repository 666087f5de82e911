using System.Runtime.InteropServices;

namespace Parley.Cli;

/// <summary>
/// Entry point of <c>parley</c>. Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (see <see cref="ExitCodes"/>).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C lets the command finish cleanly; a second one ends the process.
            e.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        };

        // A supervisor's SIGTERM (a test harness stopping `listen`) ends a command like Ctrl-C does.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        });

        return await CliApp.RunAsync(args, CliHost.FromConsole(interrupt.Token));
    }
}
