using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;
using Parley.Server.Storage;

namespace Parley.Server.Sessions;

/// <summary>
/// One connection after its key exchange. Anything may enqueue frames for it from any thread; only its
/// writer loop touches the stream, so writes never interleave. The queue is bounded by count: a reader too
/// slow to keep up is sent <c>slow_consumer</c> and disconnected, never buffered without limit.
/// </summary>
internal sealed class Session : IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly Channel<OutboundFrame> _outbound =
        Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _queueLimit;
    private readonly Action _abort;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deferWindow;
    private readonly CancellationTokenSource _closing = new();
    private int _queued;
    private int _urgentQueued;
    private CancellationTokenSource? _holdBack;
    private int _closeRequested;
    private ITimer? _loginDeadline;
    private ITimer? _abortTimer;

    /// <param name="deferWindow">How long a deferrable frame (presence) may wait for others before it is written.</param>
    public Session(
        string connectionId, EndPoint? remoteEndPoint, int queueLimit, Action abort, ILogger logger, TimeProvider time, TimeSpan deferWindow = default)
    {
        _deferWindow = deferWindow;
        _logger = logger;
        _time = time;
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        _queueLimit = queueLimit;
        _abort = abort;
    }

    public string ConnectionId { get; }
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The logged-in user; null until LOGIN succeeds. Set once.</summary>
    public UserRecord? User { get; private set; }

    /// <summary>The user's presence while this session is attached to it.</summary>
    public OnlineUserState? Presence { get; private set; }

    public int FailedLogins { get; set; }

    /// <summary>Cancelled when the session is closing; the read loop stops on it.</summary>
    public CancellationToken Closing => _closing.Token;

    public bool IsClosing => Volatile.Read(ref _closeRequested) != 0;

    public void AttachTo(OnlineUserState presence)
    {
        User = presence.User;
        Presence = presence;
        _loginDeadline?.Dispose();
    }

    /// <summary>Ends the session with <paramref name="error"/> unless a login happens within <paramref name="timeout"/>.</summary>
    public void StartLoginDeadline(TimeSpan timeout, ProtocolError error) =>
        _loginDeadline = _time.CreateTimer(_ =>
        {
            if (User is null)
            {
                CloseWithError(error);
            }
        }, null, timeout, Timeout.InfiniteTimeSpan);

    /// <summary>Queues a frame. False when the session is closing or its queue overflowed (it is then closed).</summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> json, bool deferrable = false)
    {
        if (IsClosing)
        {
            return false;
        }

        if (Interlocked.Increment(ref _queued) > _queueLimit)
        {
            Interlocked.Decrement(ref _queued);
            CloseWithError(new ProtocolError(
                Protocol.ErrorCodes.SlowConsumer, "You are not reading fast enough; the server's queue for you is full."));
            return false;
        }

        if (deferrable)
        {
            return _outbound.Writer.TryWrite(new OutboundFrame(json, Deferrable: true));
        }

        // Counted before it is queued, so a writer about to hold back sees it either here or by the cancel below.
        Interlocked.Increment(ref _urgentQueued);
        var queued = _outbound.Writer.TryWrite(new OutboundFrame(json));
        EndHoldBack();
        return queued;
    }

    public bool TryReply(ServerReply reply) => TryEnqueue(ServerMessageCodec.Encode(reply));

    /// <summary>
    /// Sends <paramref name="error"/> as the last frame and ends the connection. The error bypasses the queue
    /// limit; if the peer does not take it within a grace period, the connection is aborted.
    /// </summary>
    public void CloseWithError(ProtocolError error)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        // Another session's flow may be the one closing this one (a sender filling a slow reader's queue):
        // log under this connection's own properties.
        using (_logger.BeginScope(LogProperties()))
        {
            ServerLog.ConnectionRefused(_logger, error.Code, error.Message);
        }

        Interlocked.Increment(ref _urgentQueued);
        _outbound.Writer.TryWrite(new OutboundFrame(ServerMessageCodec.Encode(error.ToReply()), CloseAfter: true));
        _outbound.Writer.TryComplete();
        EndHoldBack();
        _abortTimer = _time.CreateTimer(_ => _abort(), null, CloseGrace, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The properties every log line about this connection carries.</summary>
    public Dictionary<string, object?> LogProperties() => new()
    {
        ["ConnectionId"] = ConnectionId,
        ["RemoteEndPoint"] = RemoteEndPoint?.ToString(),
        ["User"] = User?.Username,
    };

    /// <summary>Stops accepting frames: the writer drains what is queued and ends.</summary>
    public void CompleteOutbound()
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        _outbound.Writer.TryComplete();
        _loginDeadline?.Dispose();
    }

    /// <summary>
    /// Seals and writes queued frames until the queue completes. Everything that is queued at once is written
    /// before one flush, so a busy session costs fewer TLS writes than frames. When the first frame waiting is
    /// deferrable (a presence event), the writer first waits the defer window: in a login storm every online session
    /// receives an event per login, and coalescing them turns thousands of TLS writes into a few. Anything else queued
    /// (a message, a reply, a closing error) ends the wait at once, so presence never delays a message.
    /// </summary>
    public async Task RunWriterAsync(PipeWriter output, FrameSealer sealer)
    {
        const int FlushThreshold = 64 * 1024;
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                if (_deferWindow > TimeSpan.Zero && reader.TryPeek(out var first) && first.Deferrable)
                {
                    await HoldBackAsync();
                }

                while (reader.TryRead(out var frame))
                {
                    Interlocked.Decrement(ref _queued);
                    if (!frame.Deferrable)
                    {
                        Interlocked.Decrement(ref _urgentQueued);
                    }

                    sealer.WriteFrame(output, frame.Json.Span);
                    if (frame.CloseAfter)
                    {
                        await output.FlushAsync();
                        return;
                    }

                    if (output.UnflushedBytes >= FlushThreshold && (await output.FlushAsync()).IsCompleted)
                    {
                        return;
                    }
                }

                if ((await output.FlushAsync()).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (SealingLimitReachedException)
        {
            // This direction's key is spent and nothing more can be sealed: the connection just ends (§3.4).
        }
        finally
        {
            Interlocked.Exchange(ref _closeRequested, 1);
            _closing.Cancel();
        }
    }

    /// <summary>Waits the defer window, unless something that must not wait is queued or arrives meanwhile.</summary>
    private async Task HoldBackAsync()
    {
        var holdBack = _holdBack is { } previous && previous.TryReset() ? previous : new CancellationTokenSource();
        Volatile.Write(ref _holdBack, holdBack);
        if (Volatile.Read(ref _urgentQueued) > 0 || IsClosing)
        {
            return;
        }

        // Yielding keeps the writer off the thread of whoever cancels; a cancelled wait is the normal case, not an error.
        await Task.Delay(_deferWindow, _time, holdBack.Token)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
    }

    private void EndHoldBack() => Volatile.Read(ref _holdBack)?.Cancel();

    /// <summary>Releases timers once the connection is gone.</summary>
    public void Dispose()
    {
        _loginDeadline?.Dispose();
        _abortTimer?.Dispose();
        _closing.Dispose();
        // _holdBack stays undisposed: a late enqueue from another session may still cancel it, and a
        // CancellationTokenSource without timers holds nothing that needs releasing.
    }
}
