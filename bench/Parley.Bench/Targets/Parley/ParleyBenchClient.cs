using System.Buffers;
using System.Text;
using Parley.Client;
using Parley.Protocol.Messages;

namespace Parley.Bench.Targets.Parley;

/// <summary>
/// One logged-in <see cref="ParleyConnection"/>. A single reader task drains <see cref="ParleyConnection.Events"/>
/// (so the connection never stalls on a full event queue) and hands each chat payload to the sink; presence events
/// are read and dropped. With failures-only acks a send completes once queued, as an MQTT QoS 0 publish does; a
/// message the server then reports undelivered never reaches its recipient, so the tracker counts it lost.
/// </summary>
internal sealed class ParleyBenchClient : IBenchClient
{
    private const int StackLimit = 2048;

    private readonly ParleyConnection _connection;
    private readonly IReadOnlyList<string> _usernames;
    private readonly IMessageSink _sink;
    private readonly bool _failuresOnly;
    private readonly Task _reader;

    public ParleyBenchClient(int index, ParleyConnection connection, IReadOnlyList<string> usernames, bool failuresOnly, IMessageSink sink)
    {
        Index = index;
        _connection = connection;
        _usernames = usernames;
        _failuresOnly = failuresOnly;
        _sink = sink;
        _reader = Task.Run(ReadAsync);
    }

    public int Index { get; }

    public bool IsConnected => _connection.IsConnected;

    public string? CloseReason => _connection.CloseReason?.ToString();

    public ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var text = Encoding.ASCII.GetString(payload.Span);
        if (_failuresOnly)
        {
            return PostAsync(_usernames[peerIndex], text, cancellationToken);
        }

        Task<DeliveryStatusReply> reply;
        try
        {
            reply = _connection.SendMessageAsync(_usernames[peerIndex], text, cancellationToken);
        }
        catch (ParleyConnectionException ex)
        {
            return ValueTask.FromException(new BenchSendException(ex.Message, ex));
        }

        return reply.IsCompletedSuccessfully && reply.Result.Status == DeliveryStates.Delivered
            ? ValueTask.CompletedTask
            : AwaitDeliveryAsync(reply);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _reader;
    }

    private async ValueTask PostAsync(string to, string text, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.PostMessageAsync(to, text, cancellationToken).ConfigureAwait(false);
        }
        catch (ParleyConnectionException ex)
        {
            throw new BenchSendException(ex.Message, ex);
        }
    }

    private static async ValueTask AwaitDeliveryAsync(Task<DeliveryStatusReply> pending)
    {
        DeliveryStatusReply reply;
        try
        {
            reply = await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ParleyConnectionException or ParleyServerException or TimeoutException)
        {
            throw new BenchSendException(ex.Message, ex);
        }

        if (reply.Status != DeliveryStates.Delivered)
        {
            throw new BenchSendException($"the server answered '{reply.Status}' for {reply.To}");
        }
    }

    private async Task ReadAsync()
    {
        var events = _connection.Events;
        while (await events.WaitToReadAsync().ConfigureAwait(false))
        {
            while (events.TryRead(out var message))
            {
                if (message is ChatMessage chat)
                {
                    Deliver(chat.Payload);
                }
            }
        }
    }

    private void Deliver(string payload)
    {
        var length = Encoding.ASCII.GetMaxByteCount(payload.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.ASCII.GetBytes(payload, buffer);
            _sink.OnMessage(Index, buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
