using System.ComponentModel;
using System.Globalization;
using Parley.Protocol.Messages;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

internal sealed class ListenSettings : ParleySettings
{
    [CommandOption("--count <N>")]
    [Description("Exit 0 after N messages (presence events do not count).")]
    public int? Count { get; set; }

    [CommandOption("--timeout <SECONDS>")]
    [Description("With --count: exit 1 if the N messages have not all arrived by then. Alone: listen this long, then exit 0.")]
    public double? Timeout { get; set; }

    public override ValidationResult Validate()
    {
        if (Count is < 1)
        {
            return ValidationResult.Error("--count must be at least 1");
        }

        if (Timeout is not null && (double.IsNaN(Timeout.Value) || Timeout <= 0 || Timeout > int.MaxValue / 1000.0))
        {
            return ValidationResult.Error("--timeout must be a positive number of seconds");
        }

        return base.Validate();
    }
}

[Description("Print incoming messages and presence changes until Ctrl-C (or --count/--timeout). Once listening it prints {\"event\":\"ready\"} with --json, else a note on stderr.")]
internal sealed class ListenCommand(CliHost host) : ParleyCommand<ListenSettings>(host)
{
    protected override async Task<int> RunAsync(CommandRun run)
    {
        var settings = (ListenSettings)run.Settings;
        await using var connection = await run.ConnectAndLoginAsync();
        var session = connection.Session!;
        run.Output.Ready(connection, to: null, $"Listening as {session.Username}… (Ctrl-C to stop)");

        using var deadline = settings.Timeout is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.CancellationToken, deadline?.Token ?? default);
        var received = 0;
        try
        {
            await foreach (var message in connection.Events.ReadAllAsync(stop.Token))
            {
                switch (message)
                {
                    case ChatMessage chat:
                        run.Output.ChatMessage(chat);
                        if (++received == settings.Count)
                        {
                            return ExitCodes.Success;
                        }

                        break;
                    case UserStatusEvent status:
                        run.Output.UserStatus(status);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            if (settings.Count is not { } expected)
            {
                return ExitCodes.Success;
            }

            throw new CliException("timeout", string.Create(CultureInfo.InvariantCulture,
                $"timed out after {settings.Timeout} s with {received} of {expected} messages"));
        }
        catch (OperationCanceledException) when (run.CancellationToken.IsCancellationRequested)
        {
            if (settings.Count is not { } expected)
            {
                return ExitCodes.Success;
            }

            throw new CliException("interrupted", $"interrupted with {received} of {expected} messages", ExitCodes.Interrupted);
        }

        // Events completed: the connection ended under us.
        throw CommandRun.Lost(connection);
    }
}
