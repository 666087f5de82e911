using System.ComponentModel;
using Parley.Client;
using Parley.Protocol.Messages;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

internal sealed class ChatSettings : ParleySettings
{
    [CommandArgument(0, "[USER]")]
    [Description("Who plain lines go to. Without it, use /msg USER TEXT.")]
    public string? To { get; set; }
}

[Description("Chat interactively: lines you type go to USER; /users, /msg USER TEXT, /quit, /help. Works with piped stdin and ends at EOF.")]
internal sealed class ChatCommand(CliHost host) : ParleyCommand<ChatSettings>(host)
{
    internal const string HelpText =
        "Type a line to send it to the current recipient (start it with // to send a leading /).\n" +
        "  /msg USER TEXT   send TEXT to USER\n" +
        "  /users           list who is online\n" +
        "  /help            show this help\n" +
        "  /quit            leave (so does end of input, Ctrl-D)";

    protected override async Task<int> RunAsync(CommandRun run)
    {
        var settings = (ChatSettings)run.Settings;
        await using var connection = await run.ConnectAndLoginAsync();
        var session = connection.Session!;
        run.Output.Ready(connection, settings.To, settings.To is { } to
            ? $"Chatting as {session.Username} with {to}. /help lists commands; /quit or end of input leaves."
            : $"Chatting as {session.Username}. Send with /msg USER TEXT; /help lists commands.");

        var printing = PrintEventsAsync(connection, run.Output);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(run.CancellationToken);
        using var stopWhenClosed = StopWhenClosed(connection, closed);
        try
        {
            while (await Host.In.ReadLineAsync(closed.Token) is { } line)
            {
                if (!await HandleLineAsync(line.Trim(), settings.To, connection, run, closed.Token))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ParleyConnectionException && !run.CancellationToken.IsCancellationRequested)
        {
            throw CommandRun.Lost(connection);
        }
        catch (OperationCanceledException) when (run.CancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: leave like /quit.
        }

        if (!connection.IsConnected)
        {
            throw CommandRun.Lost(connection);
        }

        await connection.DisposeAsync();
        await printing;
        return ExitCodes.Success;
    }

    /// <summary>Returns false to leave.</summary>
    private static async Task<bool> HandleLineAsync(string line, string? to, ParleyConnection connection, CommandRun run, CancellationToken cancellationToken)
    {
        if (line.Length == 0)
        {
            return true;
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return await SendAsync(to, line[1..]);
        }

        if (!line.StartsWith('/'))
        {
            return await SendAsync(to, line);
        }

        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        switch (parts[0])
        {
            case "/quit" or "/exit":
                return false;
            case "/help":
                run.Output.Note(HelpText);
                return true;
            case "/users":
                try
                {
                    run.Output.OnlineUsers(await connection.GetOnlineUsersAsync(cancellationToken));
                }
                catch (ParleyServerException refused)
                {
                    Warn(refused.Code, $"the server refused /users: {refused.Message}");
                }

                return true;
            case "/msg" when parts.Length == 3:
                return await SendAsync(parts[1], parts[2]);
            case "/msg":
                Warn("usage", "usage: /msg USER TEXT");
                return true;
            default:
                Warn("usage", $"unknown command {parts[0]}; /help lists them");
                return true;
        }

        async Task<bool> SendAsync(string? recipient, string text)
        {
            if (recipient is null)
            {
                Warn("usage", "no recipient: start with 'parley chat USER', or use /msg USER TEXT");
                return true;
            }

            DeliveryStatusReply status;
            try
            {
                status = await connection.SendMessageAsync(recipient, text, cancellationToken);
            }
            catch (ParleyServerException refused)
            {
                Warn(refused.Code, $"not sent: {refused.Message} ({refused.Code})");
                return true;
            }

            if (run.Output.Json || status.Status != DeliveryStates.Delivered)
            {
                run.Output.DeliveryStatus(status);
            }

            return true;
        }

        void Warn(string code, string message)
        {
            // Mistakes in an interactive session are reported and the session goes on.
            if (run.Output.Json)
            {
                run.Output.Error(code, message);
            }
            else
            {
                run.Output.Note(message);
            }
        }
    }

    /// <summary>Cancels <paramref name="closed"/> when the connection ends, so a pending stdin read stops waiting.</summary>
    private static IDisposable StopWhenClosed(ParleyConnection connection, CancellationTokenSource closed)
    {
        var watch = new CancellationTokenSource();
        _ = connection.Completion.WaitAsync(watch.Token).ContinueWith(
            completed =>
            {
                try
                {
                    if (completed.IsCompletedSuccessfully)
                    {
                        closed.Cancel();
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The command already finished.
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return new Stop(watch);
    }

    private sealed class Stop(CancellationTokenSource watch) : IDisposable
    {
        public void Dispose()
        {
            watch.Cancel();
            watch.Dispose();
        }
    }

    private static async Task PrintEventsAsync(ParleyConnection connection, CliOutput output)
    {
        await foreach (var message in connection.Events.ReadAllAsync())
        {
            switch (message)
            {
                case ChatMessage chat:
                    output.ChatMessage(chat);
                    break;
                case UserStatusEvent status:
                    output.UserStatus(status);
                    break;
            }
        }
    }
}
