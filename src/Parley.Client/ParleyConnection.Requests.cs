using System.Globalization;
using Parley.Protocol.Messages;

namespace Parley.Client;

public sealed partial class ParleyConnection
{
    /// <summary>Creates an account (docs/protocol.md §5.1.1). Does not log in.</summary>
    /// <exception cref="ParleyServerException">Refused, e.g. <c>username_taken</c>, <c>weak_password</c>, <c>invalid_username</c>.</exception>
    /// <exception cref="ParleyConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public Task<RegisterResponse> RegisterAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var id = NextRequestId();
        var request = new RegisterRequest { Id = id, Username = username, Password = password };
        return RequestAsync<RegisterResponse>(request, id, MessageTypes.Register, sensitive: true, cancellationToken);
    }

    /// <summary>
    /// Logs this connection in (docs/protocol.md §5.1.2) and sets <see cref="Session"/>. A connection logs in once;
    /// the same user may be logged in on other connections at the same time.
    /// </summary>
    /// <exception cref="ParleyServerException">Refused, e.g. <c>invalid_credentials</c>, <c>already_authenticated</c>.</exception>
    /// <exception cref="ParleyConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public async Task<LoginResponse> LoginAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var id = NextRequestId();
        var request = new LoginRequest { Id = id, Username = username, Password = password };
        var session = await RequestAsync<LoginResponse>(request, id, MessageTypes.Login, sensitive: true, cancellationToken)
            .ConfigureAwait(false);
        Session = session;
        return session;
    }

    /// <summary>Everyone online, on every server this one knows of (docs/protocol.md §5.1.3). Requires a login.</summary>
    /// <exception cref="ParleyServerException">Refused, e.g. <c>not_authenticated</c>.</exception>
    /// <exception cref="ParleyConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public async Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken = default)
    {
        var id = NextRequestId();
        var response = await RequestAsync<OnlineUsersResponse>(
            new OnlineUsersRequest { Id = id }, id, MessageTypes.OnlineUserRequest, sensitive: false, cancellationToken).ConfigureAwait(false);
        return response.Users;
    }

    /// <summary>
    /// Sends a direct message (docs/protocol.md §5.1.4) and returns what became of it: <c>delivered</c>,
    /// <c>offline</c> or <c>unknown_user</c> (<see cref="DeliveryStates"/>). Only a refusal throws.
    /// </summary>
    /// <param name="to">The recipient's username or user id.</param>
    /// <param name="text">The message text.</param>
    /// <param name="cancellationToken">Stops waiting for the delivery status (the message may still be sent).</param>
    /// <exception cref="ParleyServerException">Refused, e.g. <c>not_authenticated</c>, <c>too_large</c>.</exception>
    /// <exception cref="ParleyConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public Task<DeliveryStatusReply> SendMessageAsync(string to, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentException.ThrowIfNullOrEmpty(text);
        var id = NextRequestId();
        var request = new SendMessageRequest { Id = id, To = to, Payload = text };
        return RequestAsync<DeliveryStatusReply>(request, id, MessageTypes.Message, sensitive: false, cancellationToken);
    }

    /// <summary>
    /// Sends a direct message without waiting for its delivery status (docs/protocol.md §5.1.4, <c>"ack": "failures"</c>):
    /// completes once the message is queued for sending, and returns its request id. A delivered message is not
    /// answered; one that is not delivered is answered by a <see cref="DeliveryStatusReply"/> (<c>offline</c>,
    /// <c>unknown_user</c>) or an <see cref="ErrorReply"/> (<c>too_large</c>, …) on <see cref="Events"/>, carrying
    /// that id. For senders of many messages that need no per-message confirmation: it saves the server a write per message.
    /// </summary>
    /// <param name="to">The recipient's username or user id.</param>
    /// <param name="text">The message text.</param>
    /// <param name="cancellationToken">Stops waiting for room in the outbound queue.</param>
    /// <exception cref="ParleyConnectionException">The connection has ended.</exception>
    public async ValueTask<string> PostMessageAsync(string to, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentException.ThrowIfNullOrEmpty(text);
        ThrowIfClosed();
        var id = NextRequestId();
        var request = new SendMessageRequest { Id = id, To = to, Payload = text, Ack = AckModes.Failures };
        await EnqueueAsync(new Outgoing(ClientMessageCodec.Encode(request), Sealed: true, Sensitive: false, Written: null), cancellationToken)
            .ConfigureAwait(false);
        return id;
    }

    /// <summary>Round-trips a ping (docs/protocol.md §5.1.5); completes when the pong arrives.</summary>
    /// <exception cref="ParleyConnectionException">The connection ended before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public Task PingAsync(CancellationToken cancellationToken = default)
    {
        var id = NextRequestId();
        return RequestAsync<PongReply>(new PingRequest { Id = id }, id, MessageTypes.Ping, sensitive: false, cancellationToken);
    }

    private string NextRequestId() =>
        Interlocked.Increment(ref _lastRequestId).ToString(CultureInfo.InvariantCulture);

    private async Task<TReply> RequestAsync<TReply>(
        ClientMessage request, string id, string requestType, bool sensitive, CancellationToken cancellationToken)
        where TReply : ServerReply
    {
        var reply = await SendRequestAsync(id, ClientMessageCodec.Encode(request), requestType, sensitive, cancellationToken)
            .ConfigureAwait(false);
        return reply switch
        {
            TReply expected => expected,
            ErrorReply error => throw new ParleyServerException(error),
            _ => throw new ParleyProtocolException($"The server answered {requestType} with an unexpected {reply.GetType().Name}."),
        };
    }

    private async Task<ServerReply> SendRequestAsync(
        string id, ReadOnlyMemory<byte> json, string requestType, bool sensitive, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<ServerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(id, waiter))
        {
            throw new InvalidOperationException($"A request with id '{id}' is already waiting for its reply.");
        }

        try
        {
            // Close fails what is pending; a request added after it ran must see the reason itself.
            ThrowIfClosed();
            await EnqueueAsync(new Outgoing(json, Sealed: true, sensitive, Written: null), cancellationToken).ConfigureAwait(false);
            var timeout = _options.RequestTimeout;
            return timeout == Timeout.InfiniteTimeSpan
                ? await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false)
                : await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{Endpoint} did not answer {requestType} (id {id}) within {_options.RequestTimeout.TotalSeconds:0.#} s.", ex);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<string, TaskCompletionSource<ServerReply>>(id, waiter));
        }
    }

    private async ValueTask EnqueueAsync(Outgoing item, CancellationToken cancellationToken)
    {
        if (_outbound.Writer.TryWrite(item))
        {
            return;
        }

        try
        {
            await _outbound.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            ThrowIfClosed();
            throw;
        }
    }

    private void ThrowIfClosed()
    {
        if (CloseReason is { } reason)
        {
            throw new ParleyConnectionException(reason);
        }
    }
}
