using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;

namespace Parley.Bench.Targets.Mqtt;

/// <summary>
/// One MQTTnet client subscribed to its own topic. A publish goes out on the sending thread as MQTTnet writes it;
/// at QoS 0 it completes once written (MQTT has no delivery status at that level), at QoS 1 once the broker's
/// PUBACK is in, the nearest MQTT has to Parley's delivery status. MQTTnet hands each received PUBLISH to one
/// processing loop per client, so the sink is never called concurrently for one receiver.
/// </summary>
internal sealed class MqttBenchClient : IBenchClient
{
    private readonly IMqttClient _client;
    private readonly MqttTopics _topics;
    private readonly MqttQualityOfServiceLevel _qos;
    private readonly IMessageSink _sink;
    private string? _closeReason;

    public MqttBenchClient(int index, IMqttClient client, MqttTopics topics, MqttQualityOfServiceLevel qos, IMessageSink sink)
    {
        Index = index;
        _client = client;
        _topics = topics;
        _qos = qos;
        _sink = sink;
        client.ApplicationMessageReceivedAsync += OnReceivedAsync;
        client.DisconnectedAsync += e =>
        {
            Interlocked.CompareExchange(ref _closeReason, $"disconnected: {e.Reason}{(e.Exception is null ? string.Empty : $" ({e.Exception.Message})")}", null);
            return Task.CompletedTask;
        };
    }

    public int Index { get; }

    public bool IsConnected => Volatile.Read(ref _closeReason) is null && _client.IsConnected;

    public string? CloseReason => Volatile.Read(ref _closeReason) ?? (_client.IsConnected ? null : "not connected");

    public ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // The caller reuses its buffer; MQTTnet may still hold the payload after an asynchronous return.
        var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.Span.CopyTo(copy);
        var message = new MqttApplicationMessage
        {
            Topic = _topics[peerIndex],
            Payload = new ReadOnlySequence<byte>(copy, 0, payload.Length),
            QualityOfServiceLevel = _qos,
        };

        Task<MqttClientPublishResult> publish;
        try
        {
            publish = _client.PublishAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            ArrayPool<byte>.Shared.Return(copy);
            return ValueTask.FromException(new BenchSendException(ex.Message, ex));
        }

        if (publish.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(copy);
            var result = publish.GetAwaiter().GetResult();
            return result.IsSuccess ? ValueTask.CompletedTask : ValueTask.FromException(Refused(result));
        }

        return AwaitPublishAsync(publish, copy);
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.CompareExchange(ref _closeReason, "closed by the instrument", null);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // Gone already, or slow to say goodbye: disposing closes the socket either way.
        }

        _client.Dispose();
    }

    private static async ValueTask AwaitPublishAsync(Task<MqttClientPublishResult> publish, byte[] copy)
    {
        MqttClientPublishResult result;
        try
        {
            result = await publish.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException)
        {
            throw new BenchSendException(ex.Message, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }

        if (!result.IsSuccess)
        {
            throw Refused(result);
        }
    }

    private static BenchSendException Refused(MqttClientPublishResult result) =>
        new($"the broker answered {result.ReasonCode}{(string.IsNullOrEmpty(result.ReasonString) ? string.Empty : $": {result.ReasonString}")}");

    private Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var payload = e.ApplicationMessage.Payload;
        if (payload.IsSingleSegment)
        {
            _sink.OnMessage(Index, payload.FirstSpan);
            return Task.CompletedTask;
        }

        var length = (int)payload.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        payload.CopyTo(copy);
        _sink.OnMessage(Index, copy.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(copy);
        return Task.CompletedTask;
    }
}
