using System.Buffers;
using System.Threading.Channels;

namespace Parley.Bench.Targets;

/// <summary>
/// The send side the hand-written clients (floor, XMPP) share: a bounded queue of pooled buffers for the
/// connection's one writer, the connection's lifetime, and why it ended.
/// </summary>
internal sealed class OutboundQueue : IDisposable
{
    private readonly Channel<(byte[] Buffer, int Length)> _channel;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly string _kind;
    private string? _closeReason;

    /// <param name="kind">Names the connection in errors: "the floor connection closed: …".</param>
    public OutboundQueue(string kind, int capacity = 4096)
    {
        _kind = kind;
        _channel = Channel.CreateBounded<(byte[], int)>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>What the writer drains; each buffer goes back to <see cref="ArrayPool{T}.Shared"/> once written.</summary>
    public ChannelReader<(byte[] Buffer, int Length)> Reader => _channel.Reader;

    /// <summary>Cancelled when the connection is closed.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsOpen => CloseReason is null;

    public BenchSendException ClosedError(Exception? innerException = null) =>
        new($"the {_kind} connection closed: {CloseReason}", innerException);

    /// <summary>Queues a rented buffer for the writer; waits only when the queue is full.</summary>
    public ValueTask EnqueueAsync(byte[] buffer, int length, CancellationToken cancellationToken) =>
        _channel.Writer.TryWrite((buffer, length)) ? ValueTask.CompletedTask : EnqueueSlowlyAsync(buffer, length, cancellationToken);

    /// <summary>No more sends: the writer finishes what is queued.</summary>
    public void CompleteWriting() => _channel.Writer.TryComplete();

    /// <summary>Ends the connection once; the first reason given is the one reported.</summary>
    public void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            _channel.Writer.TryComplete();
            _lifetime.Cancel();
        }
    }

    public void Dispose() => _lifetime.Dispose();

    private async ValueTask EnqueueSlowlyAsync(byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync((buffer, length), cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw ClosedError(ex);
        }
    }
}
