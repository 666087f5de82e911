using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Text;
using System.Threading.Channels;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>What every client of one XMPP target counts: messages the server bounced (<c>type='error'</c>).</summary>
internal sealed class XmppCounters
{
    private long _bounces;
    private string? _firstBounce;

    public long Bounces => Interlocked.Read(ref _bounces);

    public string? FirstBounce => Volatile.Read(ref _firstBounce);

    public void Bounce(ReadOnlySpan<byte> stanza)
    {
        if (Interlocked.Increment(ref _bounces) == 1)
        {
            Volatile.Write(ref _firstBounce, Encoding.UTF8.GetString(stanza.Length > 300 ? stanza[..300] : stanza));
        }
    }
}

/// <summary>
/// One logged-in XMPP c2s connection. Sends queue whole <c>&lt;message&gt;</c> stanzas for one writer, which writes
/// what is waiting in one TLS write (up to <see cref="BatchBytes"/>; at one message in flight per connection that is
/// one write per message). One reader cuts the stream into stanzas in place and hands each chat body to the sink;
/// presence, iq and anything else is skipped. XMPP has no delivery receipt without extensions the peers do not
/// load, so a send completes once it is queued; a bounce (<c>type='error'</c>) is counted, never delivered.
/// </summary>
internal sealed class XmppClient : IBenchClient, IXmppTokenHandler
{
    public const int BatchBytes = 16 * 1024;

    private const int StackLimit = 1024;
    private readonly SslStream _stream;
    private readonly PipeReader _input;
    private readonly IMessageSink _sink;
    private readonly XmppAddressBook _addresses;
    private readonly XmppCounters _counters;
    private readonly OutboundQueue _outbound = new("XMPP");
    private readonly Task _reader;
    private readonly Task _writer;

    public XmppClient(int index, SslStream stream, PipeReader input, IMessageSink sink, XmppAddressBook addresses, XmppCounters counters)
    {
        Index = index;
        _stream = stream;
        _input = input;
        _sink = sink;
        _addresses = addresses;
        _counters = counters;
        _reader = Task.Run(ReadAsync);
        _writer = Task.Run(WriteAsync);
    }

    public int Index { get; }

    public bool IsConnected => _outbound.IsOpen;

    public string? CloseReason => _outbound.CloseReason;

    /// <summary>The TLS suite this connection negotiated, for the report.</summary>
    public TlsCipherSuite CipherSuite => _stream.NegotiatedCipherSuite;

    public ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            return ValueTask.FromException(_outbound.ClosedError());
        }

        var prefix = _addresses.MessagePrefix(peerIndex);
        int escaped;
        try
        {
            escaped = XmlText.EscapedLength(payload.Span);
        }
        catch (ArgumentException ex)
        {
            return ValueTask.FromException(new BenchSendException(ex.Message, ex));
        }

        var length = prefix.Length + escaped + XmppStanzas.MessageSuffix.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        prefix.CopyTo(buffer, 0);
        XmlText.Escape(payload.Span, buffer.AsSpan(prefix.Length));
        XmppStanzas.MessageSuffix.CopyTo(buffer.AsSpan(prefix.Length + escaped));
        return _outbound.EnqueueAsync(buffer, length, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Let the writer finish what is queued and say goodbye (RFC 6120 §4.4), then stop the reader.
        _outbound.CompleteWriting();
        await Task.WhenAny(_writer, Task.Delay(TimeSpan.FromSeconds(2)));
        _outbound.Close("closed by the instrument");
        await Task.WhenAll(_reader, _writer);
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _outbound.Dispose();
    }

    private async Task WriteAsync()
    {
        var queue = _outbound.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_outbound.Lifetime))
            {
                if (!queue.TryRead(out var first))
                {
                    continue;
                }

                if (!queue.TryPeek(out _))
                {
                    await _stream.WriteAsync(first.Buffer.AsMemory(0, first.Length), _outbound.Lifetime);
                    ArrayPool<byte>.Shared.Return(first.Buffer);
                    continue;
                }

                // More is waiting: one TLS record for all of it, as any efficient client would write.
                var batch = ArrayPool<byte>.Shared.Rent(Math.Max(BatchBytes, first.Length));
                first.Buffer.AsSpan(0, first.Length).CopyTo(batch);
                var used = first.Length;
                ArrayPool<byte>.Shared.Return(first.Buffer);
                while (queue.TryPeek(out var next) && used + next.Length <= batch.Length && queue.TryRead(out next))
                {
                    next.Buffer.AsSpan(0, next.Length).CopyTo(batch.AsSpan(used));
                    used += next.Length;
                    ArrayPool<byte>.Shared.Return(next.Buffer);
                }

                await _stream.WriteAsync(batch.AsMemory(0, used), _outbound.Lifetime);
                ArrayPool<byte>.Shared.Return(batch);
            }

            await _stream.WriteAsync(XmppStanzas.StreamClose.ToArray(), _outbound.Lifetime);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _outbound.Close($"write failed: {ex.Message}");
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_outbound.Lifetime);
                var buffer = result.Buffer;
                var open = true;
                try
                {
                    open = XmppStreamCutter.Drain(ref buffer, this);
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (!open)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    _outbound.Close("the server closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException or InvalidOperationException)
        {
            _outbound.Close($"read failed: {ex.Message}");
        }
    }

    /// <summary>One token of the stream (RFC 6120 §8); false when the stream ended.</summary>
    public bool Handle(XmppToken token, ReadOnlySpan<byte> element)
    {
        if (token == XmppToken.StreamClose)
        {
            _outbound.Close("the server closed the stream");
            return false;
        }

        if (token != XmppToken.Element)
        {
            return true;
        }

        switch (XmppMessages.Classify(element, out var text, out var escaped))
        {
            case XmppStanzaKind.Chat:
                Deliver(text, escaped);
                return true;
            case XmppStanzaKind.Bounce:
                _counters.Bounce(element);
                return true;
            case XmppStanzaKind.StreamError:
                _outbound.Close($"stream error: {Encoding.UTF8.GetString(element.Length > 300 ? element[..300] : element)}");
                return false;
            default:
                return true;
        }
    }

    private void Deliver(ReadOnlySpan<byte> text, bool unescape)
    {
        if (!unescape)
        {
            _sink.OnMessage(Index, text);
            return;
        }

        byte[]? rented = null;
        var buffer = text.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(text.Length));
        try
        {
            var written = XmlText.Unescape(text, buffer);
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
