using System.Diagnostics;
using Parley.Bench.Targets;

namespace Parley.Bench.Load;

/// <summary>
/// A storm of logins: each worker owns one account and connects, logs in and hangs up, over and over, as fast as the
/// server lets it (bounded concurrency = the number of workers). Completion times are kept, so the logins of any
/// window can be counted afterwards.
/// </summary>
internal sealed class LoginStorm
{
    private readonly IBenchTarget _target;
    private readonly int _firstAccount;
    private readonly int _workers;
    private readonly List<(long At, long Ticks)> _logins = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private long _failures;
    private string? _firstFailure;

    public LoginStorm(IBenchTarget target, int firstAccount, int workers)
    {
        _target = target;
        _firstAccount = firstAccount;
        _workers = workers;
    }

    public long Failures => Interlocked.Read(ref _failures);

    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    public void Start() => _running = Task.WhenAll(Enumerable.Range(0, _workers).Select(w => Task.Run(() => WorkAsync(_firstAccount + w))));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }

    /// <summary>Logins that completed between two timestamps, and how long each took (connect, TLS, key exchange, login).</summary>
    public IReadOnlyList<long> LoginTicksBetween(long from, long to)
    {
        lock (_gate)
        {
            return [.. _logins.Where(l => l.At >= from && l.At < to).Select(l => l.Ticks)];
        }
    }

    private async Task WorkAsync(int account)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var client = await _target.ConnectAsync(account, NullSink.Instance, stop);
                var done = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    _logins.Add((done, done - started));
                }

                await client.DisposeAsync();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (BenchTargetException ex)
            {
                Interlocked.Increment(ref _failures);
                Interlocked.CompareExchange(ref _firstFailure, ex.Message, null);
                try
                {
                    await Task.Delay(100, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
