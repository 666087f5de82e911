using System.Buffers;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>Receives the tokens <see cref="XmppStreamCutter"/> cuts; returns false once the stream has ended.</summary>
internal interface IXmppTokenHandler
{
    bool Handle(XmppToken token, ReadOnlySpan<byte> element);
}

/// <summary>What one top-level element of the stream is, for the reader.</summary>
internal enum XmppStanzaKind
{
    Other,

    /// <summary>A message with a body: the payload.</summary>
    Chat,

    /// <summary>A message of type error (RFC 6121 §5.2.2): the server returned one it could not deliver.</summary>
    Bounce,

    /// <summary>&lt;stream:error&gt; (RFC 6120 §4.9): the stream is about to close.</summary>
    StreamError,
}

/// <summary>Reads a received element the way the adapter needs: is it a chat body, a bounce, a stream error?</summary>
internal static class XmppMessages
{
    /// <summary>Classifies <paramref name="element"/>; for <see cref="XmppStanzaKind.Chat"/>, <paramref name="body"/> is its body text, <paramref name="escaped"/> true when it still needs <see cref="XmlText.Unescape"/>.</summary>
    public static XmppStanzaKind Classify(ReadOnlySpan<byte> element, out ReadOnlySpan<byte> body, out bool escaped)
    {
        body = default;
        escaped = false;
        var name = XmppElement.LocalName(element);
        if (name.SequenceEqual("message"u8))
        {
            if (XmppElement.TryGetAttribute(element, "type"u8, out var type) && type.SequenceEqual("error"u8))
            {
                return XmppStanzaKind.Bounce;
            }

            if (XmppElement.TryGetChild(element, "body"u8, out var child) && XmppElement.TryGetText(child, out body, out var isCData))
            {
                escaped = !isCData && XmlText.NeedsUnescape(body);
                return XmppStanzaKind.Chat;
            }

            return XmppStanzaKind.Other;
        }

        return name.SequenceEqual("error"u8) && XmppElement.QualifiedName(element).StartsWith("stream:"u8)
            ? XmppStanzaKind.StreamError
            : XmppStanzaKind.Other;
    }
}

/// <summary>
/// Cuts the bytes a <see cref="System.IO.Pipelines.PipeReader"/> returned into tokens and hands each to a handler:
/// in place while a token lies in one segment, from a pooled contiguous copy of just enough of the buffer when it
/// crosses segments (a pipe's segments are a few KB, so about one stanza in ten).
/// </summary>
internal static class XmppStreamCutter
{
    /// <summary>Handles every whole token at the front of <paramref name="buffer"/> and leaves it at the first incomplete one; false once the handler says the stream ended.</summary>
    public static bool Drain<THandler>(ref ReadOnlySequence<byte> buffer, THandler handler)
        where THandler : IXmppTokenHandler
    {
        while (!buffer.IsEmpty)
        {
            var first = buffer.FirstSpan;
            var token = XmppScanner.Next(first, out var consumed, out var start, out var length);
            if (token != XmppToken.Incomplete)
            {
                var open = handler.Handle(token, first.Slice(start, length));
                buffer = buffer.Slice(consumed);
                if (!open)
                {
                    return false;
                }
            }
            else if (buffer.IsSingleSegment)
            {
                buffer = buffer.Slice(consumed);
                return true;
            }
            else if (consumed == first.Length)
            {
                // Only whitespace in this segment: go on with the next.
                buffer = buffer.Slice(consumed);
            }
            else if (!DrainSplit(ref buffer, handler, out var open))
            {
                return true;
            }
            else if (!open)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One token from a copy of the front of a multi-segment buffer; false when even all of it is not a whole token.</summary>
    private static bool DrainSplit<THandler>(ref ReadOnlySequence<byte> buffer, THandler handler, out bool open)
        where THandler : IXmppTokenHandler
    {
        open = true;
        var size = (int)Math.Min(buffer.Length, Math.Max(2L * buffer.FirstSpan.Length, 8192));
        while (true)
        {
            var copy = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var data = copy.AsSpan(0, size);
                buffer.Slice(0, size).CopyTo(data);
                var token = XmppScanner.Next(data, out var consumed, out var start, out var length);
                if (token != XmppToken.Incomplete)
                {
                    open = handler.Handle(token, data.Slice(start, length));
                    buffer = buffer.Slice(consumed);
                    return true;
                }

                if (size == buffer.Length)
                {
                    buffer = buffer.Slice(consumed);
                    return false;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }

            size = (int)Math.Min(buffer.Length, (long)size * 2);
        }
    }
}
