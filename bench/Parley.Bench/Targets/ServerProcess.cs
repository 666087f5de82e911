using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Parley.Bench.Platform;

namespace Parley.Bench.Targets;

/// <summary>
/// A server the instrument started itself (parley-server, or the floor's echo server): optionally pinned with
/// taskset, its output drained so it never blocks, ready once a TCP connect succeeds, stopped with SIGTERM and
/// then killed if it lingers. It inherits this process's raised file-descriptor limit.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Lock _linesLock = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lineCount;

    private ServerProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public int ProcessId => _process.Id;

    public string Description { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Lines the server printed (stdout and stderr) beyond what is kept.</summary>
    public int LineCount => Volatile.Read(ref _lineCount);

    /// <summary>The first line the server printed (the floor server announces its port and fingerprint this way).</summary>
    public Task<string> FirstLine => _firstLine.Task;

    /// <summary>The last lines it printed, for a failure message.</summary>
    public IReadOnlyList<string> RecentLines()
    {
        lock (_linesLock)
        {
            return [.. _lines];
        }
    }

    /// <summary>Starts <paramref name="command"/> (first element the program) under taskset when <paramref name="cpus"/> is set.</summary>
    public static ServerProcess Start(IReadOnlyList<string> command, string? cpus, IReadOnlyDictionary<string, string> environment, string description)
    {
        var full = CpuPinning.Prefix(cpus).Concat(command).ToList();
        var start = new ProcessStartInfo(full[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in full.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        // The server inherits this process's environment; KEY= (empty) takes KEY out, so a runtime knob can be
        // tried on the generator alone.
        foreach (var (key, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new BenchTargetException($"could not start {full[0]}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchTargetException($"could not start {full[0]}: {ex.Message}", ex);
        }

        var server = new ServerProcess(process, description);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until <paramref name="endpoint"/> accepts TCP connections, failing early if the process exits.</summary>
    public async Task WaitUntilListeningAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new BenchTargetException($"{Description} exited with code {_process.ExitCode} before listening{LastLineSuffix()}");
            }

            using (var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(TimeSpan.FromSeconds(1));
                    await probe.ConnectAsync(endpoint, attempt.Token);
                    return;
                }
                catch (SocketException)
                {
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchTargetException($"{Description} did not listen on {endpoint} within {timeout.TotalSeconds:0} s{LastLineSuffix()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public string LastLineSuffix()
    {
        var lines = RecentLines();
        return lines.Count == 0 ? string.Empty : $": {lines[^1]}";
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            _ = Native.Kill(_process.Id, Native.SigTerm);
        }

        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited in the meantime.
            }

            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    /// <summary>A free TCP port on <paramref name="address"/> (closed again at once; the server binds it right after).</summary>
    public static int FreePort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _firstLine.TrySetResult(line);
        Interlocked.Increment(ref _lineCount);
        lock (_linesLock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
