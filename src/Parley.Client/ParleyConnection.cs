using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Client;

/// <summary>
/// One session with a Parley server: TLS with ALPN <c>parley/1</c>, the key exchange, then sealed JSON frames
/// (docs/protocol.md). Thread-safe: any number of callers may send requests at once; replies are matched by id.
/// Incoming direct messages, presence changes and connection-level errors arrive on <see cref="Events"/>.
/// Create with <see cref="ConnectAsync"/>; dispose to close.
/// </summary>
/// <remarks>
/// One reader loop owns the receive side and one writer loop owns the send side: requests are queued on a bounded
/// channel and the writer seals each into the TLS stream and flushes once per drained batch, so concurrent callers
/// never interleave bytes. Nothing here blocks a thread, so thousands of connections fit in one process.
/// </remarks>
public sealed partial class ParleyConnection : IAsyncDisposable
{
    private readonly ParleyClientOptions _options;
    private readonly Socket _socket;
    private readonly SslStream _stream;
    private readonly PipeReader _reader;
    private readonly FrameInput _input;
    private readonly PipeWriter _output;
    private readonly FrameSealer _sealer;
    private readonly FrameOpener _opener;
    private readonly Channel<Outgoing> _outbound;
    private readonly Channel<ServerMessage> _events;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ServerReply>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<ParleyCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ParleyCloseReason? _closeReason;
    private ErrorReply? _serverError;
    private long _lastRequestId;
    private long _droppedEvents;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;

    private ParleyConnection(
        ParleyClientOptions options,
        Socket socket,
        SslStream stream,
        PipeReader reader,
        FrameInput input,
        PipeWriter output,
        SessionKeys keys,
        KeyExchangeMessage server,
        string certificateFingerprint,
        ServerTrustBasis trustBasis)
    {
        _options = options;
        _socket = socket;
        _stream = stream;
        _reader = reader;
        _input = input;
        _output = output;
        _sealer = keys.CreateClientSealer();
        _opener = keys.CreateClientOpener();
        _input.Opener = _opener;
        Server = server;
        CertificateFingerprint = certificateFingerprint;
        TrustBasis = trustBasis;
        Endpoint = KnownServersFile.FormatEndpoint(options.Host, options.Port);
        _outbound = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _events = Channel.CreateBounded<ServerMessage>(
            new BoundedChannelOptions(options.EventQueueCapacity)
            {
                SingleWriter = true,
                FullMode = options.EventQueueFullMode,
            },
            _ => Interlocked.Increment(ref _droppedEvents));
    }

    /// <summary>The server's key_exchange: its id, name and identity key fingerprint.</summary>
    public KeyExchangeMessage Server { get; }

    /// <summary>SHA-256 fingerprint of the server's TLS certificate (DER), as <see cref="Fingerprint"/> formats it.</summary>
    public string CertificateFingerprint { get; }

    /// <summary>Why the server's certificate was trusted.</summary>
    public ServerTrustBasis TrustBasis { get; }

    /// <summary>The server as <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Who this connection is logged in as, once <see cref="LoginAsync"/> has succeeded.</summary>
    public LoginResponse? Session { get; private set; }

    /// <summary>
    /// Incoming <see cref="ChatMessage"/>s, <see cref="UserStatusEvent"/>s, and the <see cref="ErrorReply"/>s and
    /// <see cref="DeliveryStatusReply"/>s that answer no pending request: a message sent with
    /// <see cref="PostMessageAsync"/> that was not delivered, or a late answer (a connection-level error has no id and
    /// is followed by the close). Bounded by
    /// <see cref="ParleyClientOptions.EventQueueCapacity"/>; completes when the connection ends. Message types this
    /// client does not know are skipped.
    /// </summary>
    public ChannelReader<ServerMessage> Events => _events.Reader;

    /// <summary>Events dropped because <see cref="Events"/> was full (only with a dropping <see cref="ParleyClientOptions.EventQueueFullMode"/>).</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Completes, never faulted, once the connection has ended and its resources are released; the result says why.</summary>
    public Task<ParleyCloseReason> Completion => _completion.Task;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ParleyCloseReason? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>True until the connection starts to close.</summary>
    public bool IsConnected => CloseReason is null;

    /// <summary>Closes the connection at once (requests still waiting fail) and waits until it is released.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(new ParleyCloseReason(ParleyCloseKind.ClosedByClient, "The connection was closed by this client."));
        await _completion.Task.ConfigureAwait(false);
    }

    private void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
        _ = SuperviseAsync();
    }

    /// <summary>Records the first reason, stops both loops and fails every waiting request. Idempotent.</summary>
    private void Close(ParleyCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _lifetime.Cancel();

        // Cancellation reaches a pending socket read, but closing the socket guarantees both loops wake up.
        _socket.Dispose();
        FailPending(reason);
    }

    private void FailPending(ParleyCloseReason reason)
    {
        foreach (var (id, waiter) in _pending)
        {
            if (_pending.TryRemove(new KeyValuePair<string, TaskCompletionSource<ServerReply>>(id, waiter)))
            {
                Fail(waiter, new ParleyConnectionException(reason));
            }
        }
    }

    /// <summary>
    /// Faults a waiter and marks the fault observed: its caller may have stopped waiting (cancelled, timed out), and an
    /// unobserved fault would surface later as an UnobservedTaskException.
    /// </summary>
    private static void Fail<T>(TaskCompletionSource<T> waiter, Exception exception)
    {
        if (waiter.TrySetException(exception))
        {
            _ = waiter.Task.Exception;
        }
    }

    private static void Fail(TaskCompletionSource waiter, Exception exception)
    {
        if (waiter.TrySetException(exception))
        {
            _ = waiter.Task.Exception;
        }
    }

    private async Task SuperviseAsync()
    {
        // Both loops catch everything and call Close, so neither task faults.
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        var reason = CloseReason!;
        while (_outbound.Reader.TryRead(out var unsent))
        {
            if (unsent.Written is { } written)
            {
                Fail(written, new ParleyConnectionException(reason));
            }
        }

        FailPending(reason);
        _events.Writer.TryComplete();
        try
        {
            // Both loops are done: hand the pipes' pooled buffers back, then release the stream.
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Completing the writer flushes into a closed socket; nothing is lost that matters now.
        }

        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The socket is already gone; nothing is left to flush.
        }

        _sealer.Dispose();
        _opener.Dispose();
        _lifetime.Dispose();
        _completion.TrySetResult(reason);
    }

    /// <summary>A transport or protocol failure; the server's connection-level error, if it sent one, explains it better.</summary>
    private ParleyCloseReason Failure(ParleyCloseKind kind, string message, Exception? exception = null)
    {
        if (Volatile.Read(ref _serverError) is { } error)
        {
            return new ParleyCloseReason(ParleyCloseKind.ServerError, error.Message, error.Code);
        }

        return new ParleyCloseReason(kind, message, null, exception);
    }

    private readonly record struct Outgoing(ReadOnlyMemory<byte> Bytes, bool Sealed, bool Sensitive, TaskCompletionSource? Written);
}
