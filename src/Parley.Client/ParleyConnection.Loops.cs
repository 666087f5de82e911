using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Client;

public sealed partial class ParleyConnection
{
    // Flush inside a long batch once this much is buffered, so a burst never holds megabytes.
    private const int FlushThresholdBytes = 64 * 1024;

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ServerMessage? publish;
                var frame = await _input.ReadAsync(_lifetime.Token).ConfigureAwait(false);
                try
                {
                    switch (frame.Status)
                    {
                        case InboundFrameStatus.Frame:
                            publish = Dispatch(frame.Payload.Span);
                            break;
                        case InboundFrameStatus.EndOfStream:
                            Close(Failure(ParleyCloseKind.ServerClosed, "The server closed the connection."));
                            return;
                        default:
                            Close(Failure(ParleyCloseKind.ProtocolViolation, Describe(frame)));
                            return;
                    }
                }
                finally
                {
                    frame.Dispose();
                }

                if (publish is not null && !_events.Writer.TryWrite(publish))
                {
                    await _events.Writer.WriteAsync(publish, _lifetime.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Close(Failure(ParleyCloseKind.TransportError, $"Reading from the server failed: {ex.Message}", ex));
        }
    }

    /// <summary>Completes the matching request, or returns the message to publish as an event (null: nothing to publish).</summary>
    private ServerMessage? Dispatch(ReadOnlySpan<byte> json)
    {
        if (!ServerMessageCodec.TryDecode(json, out var message))
        {
            // An unknown type is skipped (a newer server may add events), but a caller waiting on its id must not hang.
            if (MessagePeek.TryPeek(json, out _, out var badId) && badId is not null && _pending.TryRemove(badId, out var waiter))
            {
                Fail(waiter, new ParleyProtocolException(
                    $"The server's answer to request '{badId}' is not a reply this client understands."));
            }

            return null;
        }

        switch (message)
        {
            case ErrorReply { Id: null } connectionError:
                // docs/protocol.md §6: an error without an id is stream-level; the server closes after it.
                Volatile.Write(ref _serverError, connectionError);
                return connectionError;
            case ServerReply { Id: { } id } reply when _pending.TryRemove(id, out var waiter):
                waiter.TrySetResult(reply);
                return null;
            case ErrorReply or DeliveryStatusReply:
                // Answers something sent without waiting (PostMessageAsync, SendRawAsync): still worth seeing.
                return message;
            case ChatMessage or UserStatusEvent:
                return message;
            default:
                // A late reply to a cancelled request, or a message out of place: nothing waits for it.
                return null;
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        var written = new List<TaskCompletionSource>();
        try
        {
            while (await reader.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Sealed)
                    {
                        _sealer.WriteFrame(_output, item.Bytes.Span);
                    }
                    else
                    {
                        _output.Write(item.Bytes.Span);
                    }

                    if (item.Sensitive && MemoryMarshal.TryGetArray(item.Bytes, out var segment))
                    {
                        CryptographicOperations.ZeroMemory(segment.AsSpan());
                    }

                    if (item.Written is { } done)
                    {
                        written.Add(done);
                    }

                    if (_output.CanGetUnflushedBytes && _output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        break;
                    }
                }

                await _output.FlushAsync(_lifetime.Token).ConfigureAwait(false);
                foreach (var done in written)
                {
                    done.TrySetResult();
                }

                written.Clear();
            }

            // The channel completes only in Close, which has recorded the reason already.
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            var reason = ex is SealingLimitReachedException
                ? new ParleyCloseReason(ParleyCloseKind.TransportError, ex.Message, null, ex)
                : Failure(ParleyCloseKind.TransportError, $"Writing to the server failed: {ex.Message}", ex);
            Close(reason);
        }
        finally
        {
            foreach (var done in written)
            {
                Fail(done, new ParleyConnectionException(CloseReason ?? Failure(ParleyCloseKind.TransportError, "The write did not complete.")));
            }
        }
    }

    private string Describe(in InboundFrame frame) => frame.Status switch
    {
        InboundFrameStatus.Truncated => "The server's stream ended in the middle of a frame.",
        InboundFrameStatus.ZeroLength => "The server sent a frame with a zero length.",
        InboundFrameStatus.TooLarge => $"The server sent a {frame.DeclaredLength}-byte frame, over the limit of {_options.MaxFrameBytes} ({nameof(ParleyClientOptions.MaxFrameBytes)}).",
        InboundFrameStatus.DecryptFailed => "A frame from the server failed authentication (tampered, replayed or not sealed).",
        _ => $"The server's stream failed: {frame.Status}.",
    };
}
