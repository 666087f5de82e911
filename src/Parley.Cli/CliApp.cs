using Parley.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli;

/// <summary>
/// The <c>parley</c> command line. Exit codes: 0 success; 1 failure (refused, unreachable, untrusted server, timed
/// out, unknown recipient); 2 usage error (bad or missing option, argument or input); 130 interrupted by Ctrl-C.
/// A failure prints one line on stderr: <c>parley: REASON</c>, or <c>{"error":CODE,"message":REASON}</c> with --json.
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliHost host)
    {
        var app = new CommandApp();
        var json = args.Contains("--json", StringComparer.Ordinal);
        app.Configure(config =>
        {
            config.SetApplicationName("parley");
            config.Settings.Registrar.RegisterInstance(host);
            config.ConfigureConsole(AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(host.Out),
                Ansi = host.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = host.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Interactive = host.IsInputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
            }));
            config.SetHelpProvider(new ParleyHelpProvider(config.Settings));
            config.CancellationExitCode(ExitCodes.Interrupted);
            config.SetExceptionHandler((exception, _) =>
            {
                // Command failures are reported inside the commands; what reaches here is a bad command line.
                var (code, message, exit) = exception is CommandAppException
                    ? ("usage", Describe(exception), ExitCodes.Usage)
                    : ParleyCommand<ParleySettings>.Explain(exception, host.Interrupted)
                      ?? ("internal_error", $"unexpected {exception.GetType().Name}: {exception.Message}", ExitCodes.Failure);
                host.Error.WriteLine(CliOutput.FormatError(json, code, message));
                host.Error.Flush();
                return exit;
            });

            config.AddCommand<RegisterCommand>("register")
                .WithExample("register", "--user", "alice", "--server", "chat.example:5001", "--trust-new");
            config.AddCommand<WhoamiCommand>("whoami")
                .WithExample("whoami", "--user", "alice");
            config.AddCommand<UsersCommand>("users")
                .WithExample("users", "--json");
            config.AddCommand<SendCommand>("send")
                .WithExample("send", "bob", "\"hello bob\"");
            config.AddCommand<ListenCommand>("listen")
                .WithExample("listen", "--json", "--count", "1", "--timeout", "30");
            config.AddCommand<ChatCommand>("chat")
                .WithExample("chat", "bob");
        });

        return await app.RunAsync(args, host.Interrupted).ConfigureAwait(false);
    }

    private static string Describe(Exception exception)
    {
        var message = exception.Message.Trim().TrimEnd('.');
        return $"{char.ToLowerInvariant(message[0])}{message[1..]} (see 'parley --help')";
    }
}
