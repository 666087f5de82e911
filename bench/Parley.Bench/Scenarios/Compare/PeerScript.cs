using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;

namespace Parley.Bench.Scenarios.Compare;

/// <summary>The peers compare knows: their script, executable, ports and what their Nagle setting is.</summary>
internal sealed record PeerInfo(string Name, string Executable, bool NagleSwitch, string NagleOff, string NagleOn)
{
    public static readonly PeerInfo Mosquitto = new("mosquitto", "mosquitto", true, "off (set_tcp_nodelay true)", "on (set_tcp_nodelay false)");
    public static readonly PeerInfo Ejabberd = new("ejabberd", "ejabberdctl", false, "off (ejabberd always sets TCP_NODELAY)", "off (ejabberd always sets TCP_NODELAY)");
    public static readonly PeerInfo Prosody = new("prosody", "prosody", true, "off (network_settings.nagle = false)", "on (network_settings.nagle = true)");

    public static PeerInfo? Find(string name) => name switch
    {
        "mosquitto" => Mosquitto,
        "ejabberd" => Ejabberd,
        "prosody" => Prosody,
        _ => null,
    };

    /// <summary>Whether the peer's package is installed (compare does not install packages; <c>bench/peers/&lt;peer&gt;.sh install</c> does).</summary>
    public bool IsInstalled()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Any(directory => File.Exists(Path.Combine(directory, Executable)));
    }
}

/// <summary>
/// Runs <c>bench/peers/&lt;peer&gt;.sh</c> (start, accounts, status, stop) with the run's certificate, state directory,
/// pinning (PEER_CPUS) and Nagle (PEER_NODELAY). Every call is bounded in time; the scripts bound their own waits too.
/// </summary>
internal sealed class PeerScript
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(150);

    private readonly string _script;
    private readonly Dictionary<string, string> _environment;

    public PeerScript(PeerInfo peer, string directory, string stateDirectory, string? certificate, string? key, string? cpus, bool nagleOn)
    {
        Peer = peer;
        StateDirectory = stateDirectory;
        _script = Path.Combine(directory, $"{peer.Name}.sh");
        _environment = new Dictionary<string, string>
        {
            ["PEER_STATE"] = stateDirectory,
            ["PEER_NODELAY"] = nagleOn ? "0" : "1",
            ["PEER_TIMEOUT"] = "60",
        };
        if (certificate is not null && key is not null)
        {
            _environment["PEER_CERT"] = certificate;
            _environment["PEER_KEY"] = key;
        }

        if (cpus is not null)
        {
            _environment["PEER_CPUS"] = cpus;
        }
    }

    public PeerInfo Peer { get; }

    public string StateDirectory { get; }

    /// <summary>The directory of the peer scripts: <paramref name="explicitDirectory"/>, else bench/peers above this program or the working directory.</summary>
    public static string? FindDirectory(string? explicitDirectory)
    {
        if (explicitDirectory is not null)
        {
            return File.Exists(Path.Combine(explicitDirectory, "mosquitto.sh")) ? Path.GetFullPath(explicitDirectory) : null;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "bench", "peers");
                if (File.Exists(Path.Combine(candidate, "mosquitto.sh")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Stops any earlier instance under this state directory (new settings need a fresh start), starts the peer and returns its pid.</summary>
    public async Task<int> StartAsync(CancellationToken cancellationToken)
    {
        await RunAsync(["stop"], cancellationToken);
        await RunAsync(["start"], cancellationToken);
        var status = await RunAsync(["status"], cancellationToken);
        foreach (var line in status.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("pid:", StringComparison.Ordinal)
                && int.TryParse(trimmed["pid:".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
        }

        throw new BenchTargetException($"{Peer.Name}.sh status printed no pid: {status.Trim()}");
    }

    public Task AccountsAsync(int count, CancellationToken cancellationToken) =>
        RunAsync(["accounts", count.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    public Task StopAsync() => RunAsync(["stop"], CancellationToken.None);

    /// <summary>The SHA-256 fingerprint of the certificate the peer serves (the scripts copy it to STATE/PEER/tls/cert.pem).</summary>
    public string ServedFingerprint()
    {
        var path = Path.Combine(StateDirectory, Peer.Name, "tls", "cert.pem");
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return global::Parley.Protocol.Crypto.Fingerprint.Sha256(certificate.RawData);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException)
        {
            throw new BenchTargetException($"{Peer.Name} runs but its certificate {path} could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>Runs the script; its stderr lines go to the progress log. Returns stdout; a non-zero exit fails with the last line it wrote.</summary>
    private async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(_script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new BenchTargetException($"could not run {_script}");
        process.StandardInput.Close();
        var lastError = string.Empty;
        var errors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lastError = line;
                ProgressLog.Write($"  {line}");
            }
        }, CancellationToken.None);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CallLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(errors, output);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new BenchTargetException($"{Peer.Name}.sh {string.Join(' ', arguments)} took over {CallLimit.TotalSeconds:0} s");
        }

        await Task.WhenAll(errors, output);
        var text = await output;
        if (process.ExitCode != 0)
        {
            var said = new StringBuilder(lastError.Length > 0 ? lastError : text.Trim());
            throw new BenchTargetException($"{Peer.Name}.sh {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {said}");
        }

        return text;
    }
}

/// <summary>A peer compare started: disposing the target it belongs to stops it.</summary>
internal sealed class PeerRun(PeerScript script) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        try
        {
            await script.StopAsync();
        }
        catch (BenchTargetException ex)
        {
            ProgressLog.Write($"stopping {script.Peer.Name} failed: {ex.Message}");
        }
    }
}
