using Parley.Bench.Load;
using Parley.Bench.Targets;

namespace Parley.Bench.Tests;

/// <summary>The whole trial over an in-memory target: what it counts must be exactly what the target did.</summary>
public sealed class OpenLoopTrialTests
{
    private static readonly TrialSettings Short = new(
        Rate: 2000, Warmup: TimeSpan.FromMilliseconds(200), Duration: TimeSpan.FromMilliseconds(600), Drain: TimeSpan.FromSeconds(2), Size: 64, Seed: 5);

    [Fact]
    public async Task RunAsync_PerfectTarget_DeliversEverything_WithLatencies()
    {
        var target = new InMemoryTarget(_ => Fate.Deliver);
        await using var fleet = await ClientFleet.ConnectAsync(target, 0, 10, 4, CancellationToken.None);

        var result = await OpenLoopTrial.RunAsync(fleet, routesToPeer: true, Short, serverPid: null, onInterval: null, CancellationToken.None);

        Assert.InRange(result.Sent, 900, 1500);
        Assert.Equal(result.Sent, result.Delivered);
        Assert.Equal(0, result.Lost + result.Duplicates + result.Reordered + result.SendErrors + result.Stray);
        Assert.Equal(result.Sent, result.Latency.Count);
        Assert.True(result.DeliveredPerSec > 1000);
        Assert.True(target.ToSelf == 0, "a dm never goes to its own sender");
    }

    [Fact]
    public async Task RunAsync_LossyTarget_CountsWhatItDropped_AndDuplicated()
    {
        var target = new InMemoryTarget(sequence => (sequence % 10) switch
        {
            0 => Fate.Drop,
            1 => Fate.Twice,
            _ => Fate.Deliver,
        });
        await using var fleet = await ClientFleet.ConnectAsync(target, 0, 4, 4, CancellationToken.None);

        var result = await OpenLoopTrial.RunAsync(fleet, routesToPeer: true, Short with { Drain = TimeSpan.FromMilliseconds(300) }, null, null, CancellationToken.None);

        Assert.Equal(target.DroppedInWindow(result), result.Lost);
        Assert.Equal(result.Sent - result.Lost, result.Delivered);
        Assert.Equal(target.DuplicatedInWindow(result), result.Duplicates);
        Assert.Equal(0, result.Reordered);
        Assert.NotNull(result.FailureAgainst(50));
    }

    [Fact]
    public async Task RunAsync_RefusingTarget_CountsSendErrors()
    {
        var target = new InMemoryTarget(sequence => sequence % 4 == 0 ? Fate.Refuse : Fate.Deliver);
        await using var fleet = await ClientFleet.ConnectAsync(target, 0, 3, 4, CancellationToken.None);

        var result = await OpenLoopTrial.RunAsync(fleet, true, Short with { Drain = TimeSpan.FromMilliseconds(300) }, null, null, CancellationToken.None);

        Assert.True(result.SendErrors > 0);
        Assert.Equal(result.SendErrors, result.Lost);
        Assert.Equal("refused by the test target", result.FirstSendError);
    }

    private enum Fate
    {
        Deliver,
        Drop,
        Twice,
        Refuse,
    }

    private sealed class InMemoryTarget(Func<long, Fate> fate) : IBenchTarget
    {
        private readonly List<Client> _clients = [];
        private readonly List<(long Sequence, Fate Fate)> _fates = [];

        public int ToSelf { get; private set; }

        public string Kind => "memory";

        public string Description => "in-memory";

        public int? ServerProcessId => null;

        public bool OwnsServer => false;

        public bool RoutesToPeer => true;

        public long DroppedInWindow(TrialResult result) => Count(result, f => f is Fate.Drop or Fate.Refuse);

        public long DuplicatedInWindow(TrialResult result) => Count(result, f => f is Fate.Twice);

        public Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken)
        {
            var client = new Client(this, index, sink);
            lock (_clients)
            {
                _clients.Add(client);
                _clients.Sort((a, b) => a.Index.CompareTo(b.Index));
            }

            return Task.FromResult<IBenchClient>(client);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        // Messages of the window are the last result.Sent ones the driver sent.
        private long Count(TrialResult result, Func<Fate, bool> which) =>
            _fates.Skip(_fates.Count - (int)result.Sent).Count(f => which(f.Fate));

        private ValueTask Send(Client from, int peer, ReadOnlyMemory<byte> payload)
        {
            Metrics.PayloadHeader.TryRead(payload.Span, out _, out var sequence, out _);
            var what = fate(sequence);
            _fates.Add((sequence, what));
            if (peer == from.Index)
            {
                ToSelf++;
            }

            switch (what)
            {
                case Fate.Refuse:
                    return ValueTask.FromException(new BenchSendException("refused by the test target"));
                case Fate.Drop:
                    return ValueTask.CompletedTask;
                case Fate.Twice:
                    _clients[peer].Sink.OnMessage(peer, payload.Span);
                    break;
            }

            _clients[peer].Sink.OnMessage(peer, payload.Span);
            return ValueTask.CompletedTask;
        }

        private sealed class Client(InMemoryTarget target, int index, IMessageSink sink) : IBenchClient
        {
            public int Index => index;

            public IMessageSink Sink => sink;

            public bool IsConnected => true;

            public string? CloseReason => null;

            public ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
                target.Send(this, peerIndex, payload);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
