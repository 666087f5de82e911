using Spectre.Console;

namespace Parley.Cli;

/// <summary>
/// Everything the CLI takes from its process: streams, environment, terminal-ness, Ctrl-C. Tests build one over
/// strings and a dictionary, so every command runs in-process without a terminal.
/// </summary>
internal sealed class CliHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public required ILineReader In { get; init; }
    public required Func<string, string?> Environment { get; init; }

    /// <summary>True when stdin is not a terminal: no prompts then.</summary>
    public required bool IsInputRedirected { get; init; }

    /// <summary>True when stdout is not a terminal: no colour or markup then.</summary>
    public required bool IsOutputRedirected { get; init; }

    /// <summary>Asks for a secret on the terminal without echoing it; only called when stdin is a terminal.</summary>
    public required Func<string, CancellationToken, Task<string>> PromptSecretAsync { get; init; }

    /// <summary>Fires on the first Ctrl-C.</summary>
    public CancellationToken Interrupted { get; init; }

    public string? Variable(string name) => Environment(name) is { Length: > 0 } value ? value : null;

    public static CliHost FromConsole(CancellationToken interrupted)
    {
        var promptConsole = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return new CliHost
        {
            Out = Console.Out,
            Error = Console.Error,
            In = new ConsoleLineReader(),
            Environment = System.Environment.GetEnvironmentVariable,
            IsInputRedirected = Console.IsInputRedirected,
            IsOutputRedirected = Console.IsOutputRedirected,
            PromptSecretAsync = (label, ct) => new TextPrompt<string>(label).Secret().ShowAsync(promptConsole, ct),
            Interrupted = interrupted,
        };
    }
}

/// <summary>Reads stdin a line at a time; a read abandoned by cancellation is picked up by the next call.</summary>
internal interface ILineReader
{
    /// <summary>The next line, or null at end of input.</summary>
    Task<string?> ReadLineAsync(CancellationToken cancellationToken);
}

internal sealed class TextLineReader(TextReader reader) : ILineReader
{
    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) => reader.ReadLineAsync(cancellationToken).AsTask();
}

/// <summary>
/// Console.In reads block and ignore cancellation, so one read at a time runs on the thread pool and a caller
/// that stops waiting leaves it for the next call (or for process exit).
/// </summary>
internal sealed class ConsoleLineReader : ILineReader
{
    private Task<string?>? _pending;

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _pending ??= Task.Run(Console.In.ReadLine, CancellationToken.None);
        var line = await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        _pending = null;
        return line;
    }
}
