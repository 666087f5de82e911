using Parley.Cli;

namespace Parley.Client.Tests.Support;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs <c>parley</c> in-process as a script would: no terminal, inputs from arguments and variables.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly TempDirectory _home = new();

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public string HomePath => _home.Path;

    public CliRunner()
    {
        Environment["PARLEY_HOME"] = _home.Path;
    }

    public async Task<CliResult> RunAsync(params string[] args) => await RunWithInputAsync(string.Empty, args);

    public async Task<CliResult> RunWithInputAsync(string stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            In = new TextLineReader(new StringReader(stdin)),
            Environment = name => Environment.GetValueOrDefault(name),
            IsInputRedirected = true,
            IsOutputRedirected = true,
            PromptSecretAsync = (_, _) => throw new InvalidOperationException("A test has no terminal to prompt on."),
        };

        var exit = await CliApp.RunAsync(args, host).WaitAsync(TestTimeouts.Default);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _home.Dispose();
}
