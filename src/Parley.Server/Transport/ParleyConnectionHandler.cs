using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;
using Parley.Server.Configuration;
using Parley.Server.Handlers;
using Parley.Server.Hosting;
using Parley.Server.Routing;
using Parley.Server.Security;
using Parley.Server.Sessions;

namespace Parley.Server.Transport;

/// <summary>
/// One TLS connection, from the key exchange to its end (docs/protocol.md §3). <see cref="TlsListener"/> has already
/// done the TLS handshake off the accept loop. Each connection has a read loop (this method) and a writer loop (the
/// session's), run together; a stream-level fault sends one error and closes only this connection.
/// </summary>
internal sealed class ParleyConnectionHandler
{
    private static readonly byte[] AlpnBytes = System.Text.Encoding.ASCII.GetBytes(ProtocolConstants.Alpn);

    private readonly ServerIdentity _identity;
    private readonly LowPriorityThreads _keyExchangeThreads;
    private readonly SessionRegistry _registry;
    private readonly RequestDispatcher _dispatcher;
    private readonly MessageRouter _router;
    private readonly ParleyServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ParleyConnectionHandler> _logger;

    public ParleyConnectionHandler(
        ServerIdentity identity,
        LowPriorityThreads keyExchangeThreads,
        SessionRegistry registry,
        RequestDispatcher dispatcher,
        MessageRouter router,
        IOptions<ParleyServerOptions> options,
        TimeProvider time,
        ILogger<ParleyConnectionHandler> logger)
    {
        _identity = identity;
        _keyExchangeThreads = keyExchangeThreads;
        _registry = registry;
        _dispatcher = dispatcher;
        _router = router;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Serves <paramref name="connection"/> until it ends; the caller's log scope names the connection.</summary>
    public async Task OnConnectedAsync(TlsConnection connection)
    {
        ServerLog.ConnectionOpened(_logger);
        try
        {
            await RunAsync(connection);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
            || (ex is ObjectDisposedException && connection.ConnectionClosed.IsCancellationRequested))
        {
            // Peers vanish: a reset, or an abort that closed the socket under a read, is an ordinary end of a connection.
            ServerLog.ConnectionLost(_logger, ex.Message);
        }
        catch (Exception ex)
        {
            ServerLog.ConnectionFailed(_logger, ex);
        }
        finally
        {
            ServerLog.ConnectionClosed(_logger);
        }
    }

    private async Task RunAsync(TlsConnection connection)
    {
        if (!connection.ApplicationProtocol.Protocol.Span.SequenceEqual(AlpnBytes))
        {
            ServerLog.ConnectionRefused(_logger, ErrorCodes.HandshakeFailed, $"the client did not negotiate ALPN {ProtocolConstants.Alpn}");
            return;
        }

        var input = new FrameInput(connection.Input, _options.MaxFrameBytes);
        var output = connection.Output;
        var keys = await ExchangeKeysAsync(connection, input, output);
        if (keys is null)
        {
            return;
        }

        using var sealer = keys.CreateServerSealer();
        using var opener = keys.CreateServerOpener();
        input.Opener = opener;
        using var session = new Session(
            connection.ConnectionId, connection.RemoteEndPoint, _options.OutboundQueueLength, connection.Abort, _logger, _time, _options.PresenceDelay);
        using var stopReading = session.Closing.Register(() => connection.Input.CancelPendingRead());
        _registry.Track(session);
        session.StartLoginDeadline(TlsConnection.Remaining(connection.AcceptedAt, _options.LoginTimeout), new ProtocolError(
            ErrorCodes.LoginTimeout, $"No successful login within {_options.LoginTimeoutSeconds} seconds."));

        var writer = session.RunWriterAsync(output, sealer);
        try
        {
            await ReadLoopAsync(session, input, connection.ConnectionClosed);
        }
        finally
        {
            session.CompleteOutbound();
            if (_registry.Detach(session) is { } wentOffline)
            {
                ServerLog.WentOffline(_logger, wentOffline.User.Username, wentOffline.Entry.VirtualIp);
                _router.PublishPresence(wentOffline, PresenceStates.Offline);
            }

            await AwaitWriterAsync(writer, connection);
        }
    }

    /// <summary>§3: send key_exchange, receive aes_key, derive keys; all within the handshake timeout.</summary>
    private async Task<SessionKeys?> ExchangeKeysAsync(TlsConnection connection, FrameInput input, PipeWriter output)
    {
        FrameWriter.Write(output, _identity.OfferBytes);
        await output.FlushAsync();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(TlsConnection.Remaining(connection.AcceptedAt, _options.HandshakeTimeout));
        try
        {
            using var frame = await input.ReadAsync(deadline.Token);
            if (frame.Status != InboundFrameStatus.Frame)
            {
                await RefuseFrameAsync(output, frame);
                return null;
            }

            if (!ClientMessageCodec.TryDecode(frame.Payload.Span, out var message, out var error) || message is not AesKeyMessage answer)
            {
                await RefusePlainAsync(output, ErrorCodes.HandshakeFailed, error?.Message ?? "Expected aes_key.");
                return null;
            }

            // The RSA unwrap costs 1.4 ms of CPU: it runs below message routing, like bcrypt. A copy of the frame,
            // because a timed-out wait returns the frame's buffer while the unwrap may still be reading it.
            var aesKeyBody = frame.Payload.ToArray();
            return await _keyExchangeThreads.RunAsync(
                () => ServerHandshake.Complete(_identity.Key, answer, _identity.OfferBytes, aesKeyBody), deadline.Token);
        }
        catch (OperationCanceledException) when (!connection.ConnectionClosed.IsCancellationRequested)
        {
            await RefusePlainAsync(output, ErrorCodes.HandshakeTimeout, $"The key exchange did not finish within {_options.HandshakeTimeoutSeconds} seconds.");
            return null;
        }
        catch (HandshakeException ex)
        {
            await RefusePlainAsync(output, ErrorCodes.HandshakeFailed, ex.Message);
            return null;
        }
    }

    private async Task ReadLoopAsync(Session session, FrameInput input, CancellationToken connectionClosed)
    {
        IDisposable? userScope = null;
        try
        {
            await ReadFramesAsync(session, input, () => userScope ??= BeginUserScope(session), connectionClosed);
        }
        finally
        {
            userScope?.Dispose();
        }
    }

    /// <summary>Once logged in, every log line of the connection carries the user's name.</summary>
    private IDisposable? BeginUserScope(Session session) =>
        session.User is { } user ? _logger.BeginScope(new KeyValuePair<string, object?>[] { new("User", user.Username) }) : null;

    private async Task ReadFramesAsync(Session session, FrameInput input, Action afterRequest, CancellationToken connectionClosed)
    {
        while (!session.IsClosing)
        {
            InboundFrame frame;
            try
            {
                frame = await input.ReadAsync(connectionClosed);
            }
            catch (SealingLimitReachedException ex)
            {
                session.CloseWithError(new ProtocolError(ErrorCodes.RekeyRequired, ex.Message));
                return;
            }

            using var _ = frame;
            switch (frame.Status)
            {
                case InboundFrameStatus.EndOfStream:
                case InboundFrameStatus.Truncated when session.IsClosing:
                    return;
                case InboundFrameStatus.Frame:
                    break;
                default:
                    session.CloseWithError(FrameRefusal(frame));
                    return;
            }

            if (!ClientMessageCodec.TryDecode(frame.Payload.Span, out var message, out var error))
            {
                ServerLog.BadRequest(_logger, error!.Code);
                session.TryReply(error.ToReply());
                continue;
            }

            try
            {
                await _dispatcher.DispatchAsync(session, message!, connectionClosed);
                afterRequest();
            }
            catch (SealingLimitReachedException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ServerLog.RequestFailed(_logger, ex, message!.GetType().Name);
                session.TryReply(new ErrorReply { Id = message.Id, Code = ErrorCodes.InternalError, Message = "The server could not handle this request." });
            }
        }
    }

    private ProtocolError FrameRefusal(in InboundFrame frame) => frame.Status switch
    {
        InboundFrameStatus.TooLarge => new ProtocolError(ErrorCodes.TooLarge,
            $"A frame of {frame.DeclaredLength} bytes exceeds the limit of {_options.MaxFrameBytes} bytes (MaxFrameBytes)."),
        InboundFrameStatus.ZeroLength => new ProtocolError(ErrorCodes.BadFrame, "A frame cannot have length zero."),
        InboundFrameStatus.DecryptFailed => new ProtocolError(ErrorCodes.DecryptFailed,
            "A frame failed authentication (tampered, replayed, reordered or not sealed)."),
        _ => new ProtocolError(ErrorCodes.BadFrame, "The stream ended inside a frame."),
    };

    private Task RefuseFrameAsync(PipeWriter output, in InboundFrame frame)
    {
        if (frame.Status is InboundFrameStatus.EndOfStream or InboundFrameStatus.Truncated)
        {
            return Task.CompletedTask;
        }

        var refusal = FrameRefusal(frame);
        return RefusePlainAsync(output, refusal.Code, refusal.Message);
    }

    /// <summary>Before keys exist, an error can only go out unsealed (§6).</summary>
    private async Task RefusePlainAsync(PipeWriter output, string code, string reason)
    {
        ServerLog.ConnectionRefused(_logger, code, reason);
        FrameWriter.Write(output, ServerMessageCodec.Encode(new ErrorReply { Code = code, Message = reason }));
        await output.FlushAsync();
    }

    private static async Task AwaitWriterAsync(Task writer, TlsConnection connection)
    {
        try
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            connection.Abort(); // the writer did not drain in time
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or SocketException or ObjectDisposedException)
        {
            // The peer went away while we were writing; nothing more to send.
        }
    }
}
