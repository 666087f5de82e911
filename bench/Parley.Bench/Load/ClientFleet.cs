using System.Diagnostics;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;

namespace Parley.Bench.Load;

/// <summary>
/// N connected clients of one target, opened with bounded concurrency (each costs a TLS handshake, a key exchange
/// and a bcrypt verification on the server). What arrives goes to whichever trial is current.
/// </summary>
internal sealed class ClientFleet : IAsyncDisposable
{
    private readonly IBenchClient[] _clients;
    private readonly SwitchSink _sink;

    private ClientFleet(int first, IBenchClient[] clients, SwitchSink sink, double connectSeconds)
    {
        First = first;
        _clients = clients;
        _sink = sink;
        ConnectSeconds = connectSeconds;
    }

    /// <summary>Account index of position 0: position i is account First + i.</summary>
    public int First { get; }

    public int Count => _clients.Length;

    public IBenchClient this[int index] => _clients[index];

    public double ConnectSeconds { get; }

    public int Disconnected => _clients.Count(c => !c.IsConnected);

    public string? FirstCloseReason => _clients.FirstOrDefault(c => !c.IsConnected)?.CloseReason;

    /// <summary>Where arriving payloads go from now on (null: dropped).</summary>
    public void Route(IMessageSink? sink) => _sink.Current = sink;

    public static async Task<ClientFleet> ConnectAsync(IBenchTarget target, int first, int count, int concurrency, CancellationToken cancellationToken)
    {
        var clients = new IBenchClient?[count];
        var sink = new SwitchSink(first);
        var connected = 0;
        var started = Stopwatch.GetTimestamp();
        using var progress = ProgressLog.Every(TimeSpan.FromSeconds(5), () =>
        {
            var done = Volatile.Read(ref connected);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return $"connected {done:N0}/{count:N0} ({done / Math.Max(seconds, 0.001):N0}/s)";
        });
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    clients[i] = await ConnectWithRetryAsync(target, first + i, sink, token);
                    Interlocked.Increment(ref connected);
                });
        }
        catch
        {
            await DisposeAllAsync(clients.Where(c => c is not null).Cast<IBenchClient>().ToArray());
            throw;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ClientFleet(first, clients.Cast<IBenchClient>().ToArray(), sink, seconds);
    }

    public ValueTask DisposeAsync() => new(DisposeAllAsync(_clients));

    private static async Task<IBenchClient> ConnectWithRetryAsync(IBenchTarget target, int index, IMessageSink sink, CancellationToken cancellationToken)
    {
        try
        {
            return await target.ConnectAsync(index, sink, cancellationToken);
        }
        catch (BenchTargetException)
        {
            // One more try: a burst of connects can overflow a listen backlog for a moment.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            return await target.ConnectAsync(index, sink, cancellationToken);
        }
    }

    private static async Task DisposeAllAsync(IBenchClient[] clients)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 256, CancellationToken = timeout.Token },
                async (client, _) => await client.DisposeAsync());
        }
        catch (OperationCanceledException)
        {
            ProgressLog.Write("closing the connections took over 60 s; leaving the rest to process exit");
        }
    }

    /// <summary>Forwards to the current trial, translating account indices into fleet positions.</summary>
    private sealed class SwitchSink(int first) : IMessageSink
    {
        private volatile IMessageSink? _current;

        public IMessageSink? Current
        {
            get => _current;
            set => _current = value;
        }

        public void OnMessage(int receiverIndex, ReadOnlySpan<byte> payload) => _current?.OnMessage(receiverIndex - first, payload);
    }
}
