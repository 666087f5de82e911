using System.Diagnostics;
using System.Text;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the real `parley` command as a child process (the parley.dll built beside the tests), with its own
/// PARLEY_HOME and the password in PARLEY_PASSWORD, no terminal attached.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private readonly Lock _gate = new();

    private CliProcess(Process process) => _process = process;

    public string StandardOutput { get { lock (_gate) { return _stdout.ToString(); } } }
    public string StandardError { get { lock (_gate) { return _stderr.ToString(); } } }

    public static CliProcess Start(string home, string password, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parley.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PARLEY_HOME"] = home;
        info.Environment["PARLEY_PASSWORD"] = password;
        info.Environment.Remove("PARLEY_SERVER");
        info.Environment.Remove("PARLEY_USER");
        var cli = new CliProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        cli._process.OutputDataReceived += (_, e) => cli.Append(cli._stdout, e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.Append(cli._stderr, e.Data);
        cli._process.Start();
        cli._process.StandardInput.Close();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs a command to its end and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string home, string password, params string[] args)
    {
        await using var cli = Start(home, password, args);
        var code = await cli.WaitForExitAsync();
        return (code, cli.StandardOutput, cli.StandardError);
    }

    /// <summary>Completes when stdout or stderr has printed <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text)
    {
        lock (_gate)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((text, seen));
            return seen.Task.WaitAsync(Timeouts.Default);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(Timeouts.Token());
        _process.WaitForExit(); // flushes the redirected streams' last lines
        return _process.ExitCode;
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            target.AppendLine(line);
            foreach (var wait in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                wait.Seen.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
