using System.Globalization;
using System.Threading.Channels;
using Parley.Bench.Reporting;
using Parley.Client;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.Bench.Targets.Parley;

/// <summary>
/// A Parley server, spawned or external. Account i is <c>PREFIX000i</c> with one shared password that passes both
/// password policies; registering an existing account counts as prepared, so a run against a server that kept the
/// accounts of an earlier run works too.
/// </summary>
internal sealed class ParleyTarget : IBenchTarget
{
    public const string Password = "Bench-Pass-123-Parley";

    private readonly TargetEndpoint _endpoint;
    private readonly ParleyClientOptions _options;
    private readonly SourceAddresses _sources;
    private readonly SpawnedParleyServer? _spawned;
    private readonly NameList _names;
    private readonly bool _failuresOnly;

    public ParleyTarget(
        TargetEndpoint endpoint, string fingerprint, string prefix, string ack, SourceAddresses sources, int? serverPid, SpawnedParleyServer? spawned)
    {
        _endpoint = endpoint;
        _failuresOnly = ack == AckModes.Failures;
        _sources = sources;
        _spawned = spawned;
        _names = new NameList(prefix);
        ServerProcessId = spawned?.Process.ProcessId ?? serverPid;
        _options = ParleyClientOptions.Default with
        {
            Host = endpoint.Host,
            Port = endpoint.Port,
            Trust = ServerTrust.Pin(fingerprint),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            HandshakeTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(60),
            EventQueueCapacity = 4096,
            OutboundQueueCapacity = 4096,
        };
        Fingerprint = fingerprint;
    }

    public string Kind => "parley";

    public string Description =>
        (_spawned is null ? $"{_endpoint}" : $"{_endpoint} (spawned, bcrypt cost {_spawned.BcryptCost})")
        + (_failuresOnly ? ", ack failures (no delivery_status for a delivered message)" : string.Empty);

    public int? ServerProcessId { get; }

    public bool RoutesToPeer => true;

    public bool OwnsServer => _spawned is not null;

    public string Fingerprint { get; }

    /// <summary>The bcrypt cost of a spawned server; null for an external one (unknown).</summary>
    public int? BcryptCost => _spawned?.BcryptCost;

    public string Username(int index) => _names[index];

    public async Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return;
        }

        // A few connections, each registering its share one after another: registration needs no login, and the
        // server hashes at most "cores" passwords at once anyway.
        var work = Channel.CreateUnbounded<int>();
        for (var i = first; i < first + count; i++)
        {
            work.Writer.TryWrite(i);
        }

        work.Writer.Complete();
        var done = 0;
        using var progress = ProgressLog.Every(TimeSpan.FromSeconds(5), () => $"registered {Volatile.Read(ref done):N0}/{count:N0} accounts");
        var workers = Enumerable.Range(0, Math.Min(count, 8)).Select(async worker =>
        {
            await using var connection = await OpenAsync(first + worker, cancellationToken);
            await foreach (var index in work.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await connection.RegisterAsync(_names[index], Password, cancellationToken);
                }
                catch (ParleyServerException ex) when (ex.Code == ErrorCodes.UsernameTaken)
                {
                    // Already there from an earlier run: fine, the password is the instrument's own.
                }
                catch (Exception ex) when (ex is ParleyServerException or ParleyConnectionException or TimeoutException)
                {
                    throw new BenchTargetException($"registering {_names[index]} failed: {ex.Message}", ex);
                }

                Interlocked.Increment(ref done);
            }
        });
        await Task.WhenAll(workers);
    }

    public async Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(index, cancellationToken);
        try
        {
            await connection.LoginAsync(_names[index], Password, cancellationToken);
        }
        catch (Exception ex) when (ex is ParleyServerException or ParleyConnectionException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new BenchTargetException($"login of {_names[index]} failed: {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new ParleyBenchClient(index, connection, _names, _failuresOnly, sink);
    }

    public async ValueTask DisposeAsync()
    {
        if (_spawned is not null)
        {
            await _spawned.DisposeAsync();
        }
    }

    private async Task<ParleyConnection> OpenAsync(int index, CancellationToken cancellationToken)
    {
        var options = _endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? _options with { LocalAddress = _sources.For(index) }
            : _options;
        try
        {
            return await ParleyConnection.ConnectAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ex is ParleyConnectionException or ServerTrustException)
        {
            throw new BenchTargetException($"connecting {_names[index]} from {options.LocalAddress} failed: {ex.Message}", ex);
        }
    }

    /// <summary>Usernames by index, made once each and shared by every client (a send looks up its peer's name).</summary>
    private sealed class NameList(string prefix) : IReadOnlyList<string>
    {
        private readonly Lock _grow = new();
        private string[] _names = [];

        public int Count => _names.Length;

        public string this[int index]
        {
            get
            {
                var names = Volatile.Read(ref _names);
                return index < names.Length ? names[index] : Grow(index);
            }
        }

        public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_names).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private string Grow(int index)
        {
            lock (_grow)
            {
                var names = _names;
                if (index >= names.Length)
                {
                    var grown = new string[Math.Max(index + 1, names.Length * 2)];
                    names.CopyTo(grown, 0);
                    for (var i = names.Length; i < grown.Length; i++)
                    {
                        grown[i] = prefix + i.ToString("D6", CultureInfo.InvariantCulture);
                    }

                    Volatile.Write(ref _names, grown);
                    names = grown;
                }

                return names[index];
            }
        }
    }
}
