using System.Globalization;
using System.Net;
using Parley.Bench.Platform;

namespace Parley.Bench.Targets.Floor;

/// <summary>
/// The transport's physical floor on this machine: the same TLS, certificate type and message size as Parley, but a
/// server that only echoes. A message comes back to its sender (<see cref="RoutesToPeer"/> is false), so the load
/// pattern is the same while the server does the least any TLS server can do per message.
/// </summary>
internal sealed class FloorTarget : IBenchTarget
{
    private readonly ServerProcess _process;
    private readonly IPEndPoint _endpoint;
    private readonly string _fingerprint;
    private readonly SourceAddresses _sources;

    private FloorTarget(ServerProcess process, IPEndPoint endpoint, string fingerprint, SourceAddresses sources)
    {
        _process = process;
        _endpoint = endpoint;
        _fingerprint = fingerprint;
        _sources = sources;
    }

    public string Kind => "floor";

    public string Description => $"tls-echo://{_endpoint} (spawned {FloorEchoServer.Command})";

    public int? ServerProcessId => _process.ProcessId;

    public bool RoutesToPeer => false;

    public bool OwnsServer => true;

    /// <summary>Starts <c>parley-bench floor-server</c> (this same program) and waits for its announcement line.</summary>
    public static async Task<FloorTarget> SpawnAsync(string? cpus, IReadOnlyDictionary<string, string> environment, SourceAddresses sources, CancellationToken cancellationToken)
    {
        List<string> command = [Environment.ProcessPath!];
        if (CpuPinning.IsDotnetHost(Environment.ProcessPath))
        {
            command.Add(typeof(FloorTarget).Assembly.Location);
        }

        command.AddRange([FloorEchoServer.Command, "--bind", "127.0.0.1", "--port", "0"]);
        var process = ServerProcess.Start(command, cpus, WithServerDefaults(environment), FloorEchoServer.Command);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var line = await process.FirstLine.WaitAsync(timeout.Token);
            var (endpoint, fingerprint) = ParseAnnouncement(line)
                ?? throw new BenchTargetException($"{FloorEchoServer.Command} said '{line}' instead of announcing its port");
            await process.WaitUntilListeningAsync(endpoint, TimeSpan.FromSeconds(10), cancellationToken);
            return new FloorTarget(process, endpoint, fingerprint, sources);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await process.DisposeAsync();
            throw new BenchTargetException($"{FloorEchoServer.Command} did not start within 30 s{process.LastLineSuffix()}");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The floor server is parley-bench, whose runtimeconfig tunes it as a generator (server GC); environment variables
    /// win over runtimeconfig, so these give it parley-server's runtime instead: workstation GC and no thread-pool
    /// spinning (Parley.Server.csproj). With the runtime's spinning the floor cost 75 µs per message at 5,000/s
    /// against 14 without, which made Parley look as cheap as its own floor. --server-env still wins.
    /// </summary>
    internal static Dictionary<string, string> WithServerDefaults(IReadOnlyDictionary<string, string> environment)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        };
        foreach (var (key, value) in environment)
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Parses <c>floor-server listening 127.0.0.1:PORT fingerprint FP</c>.</summary>
    internal static (IPEndPoint EndPoint, string Fingerprint)? ParseAnnouncement(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5 || parts[0] != FloorEchoServer.Command || parts[1] != "listening" || parts[3] != "fingerprint"
            || !IPEndPoint.TryParse(parts[2], out var endpoint) || !IPAddress.IsLoopback(endpoint.Address))
        {
            return null;
        }

        return (endpoint, parts[4]);
    }

    public Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken)
    {
        try
        {
            return await FloorClient.ConnectAsync(index, _endpoint, _sources.For(index), _fingerprint, sink, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw new BenchTargetException($"floor connection {index.ToString(CultureInfo.InvariantCulture)} failed: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
