namespace Parley.Bench.Targets.Xmpp;

/// <summary>What <see cref="XmppScanner.Next"/> found at the front of the buffer.</summary>
internal enum XmppToken
{
    /// <summary>Not a whole token yet: read more and scan again from the same place.</summary>
    Incomplete,

    /// <summary>The server's <c>&lt;stream:stream …&gt;</c> header (RFC 6120 §4.2): a start tag that stays open.</summary>
    StreamOpen,

    /// <summary><c>&lt;/stream:stream&gt;</c>: the server closed the stream (RFC 6120 §4.4).</summary>
    StreamClose,

    /// <summary>One whole child of the stream root: a stanza, features, a SASL or TLS element (RFC 6120 §4.1).</summary>
    Element,
}

/// <summary>
/// A forward-only scanner for the XML of an XMPP stream: not a parser, only enough to cut the stream into its
/// top-level elements by counting start and end tags. It knows quoted attribute values (which may hold '&gt;'),
/// self-closing tags, comments, CDATA sections and processing instructions (the <c>&lt;?xml?&gt;</c> declaration
/// before each stream header), and skips whitespace between stanzas (keep-alives, RFC 6120 §4.6.1).
/// </summary>
internal static class XmppScanner
{
    /// <summary>The largest element accepted: the peers' own max_stanza_size is 1 MiB (bench/peers/ejabberd.sh).</summary>
    public const int MaxElementBytes = 1 << 20;

    /// <summary>
    /// Scans the front of <paramref name="data"/>. <paramref name="consumed"/> is how far the caller may advance (for
    /// <see cref="XmppToken.Incomplete"/>: past whitespace and declarations only); <paramref name="start"/> and
    /// <paramref name="length"/> place the token within <paramref name="data"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The element is larger than <see cref="MaxElementBytes"/>.</exception>
    public static XmppToken Next(ReadOnlySpan<byte> data, out int consumed, out int start, out int length)
    {
        start = length = 0;
        var pos = 0;
        while (true)
        {
            consumed = pos;
            var lt = data[pos..].IndexOf((byte)'<');
            if (lt < 0)
            {
                // Only text (whitespace) at the top level: all of it can go.
                consumed = data.Length;
                return XmppToken.Incomplete;
            }

            pos += lt;
            consumed = pos;
            if (pos + 1 >= data.Length)
            {
                return XmppToken.Incomplete;
            }

            switch (data[pos + 1])
            {
                case (byte)'?':
                case (byte)'!':
                    var skipped = SkipMarkup(data, pos);
                    if (skipped < 0)
                    {
                        return CheckedIncomplete(data, pos);
                    }

                    pos = skipped;
                    continue;
                case (byte)'/':
                    var close = data[pos..].IndexOf((byte)'>');
                    if (close < 0)
                    {
                        return CheckedIncomplete(data, pos);
                    }

                    (start, length, consumed) = (pos, close + 1, pos + close + 1);
                    return XmppToken.StreamClose;
            }

            var tagEnd = ScanTag(data, pos, out var selfClosing);
            if (tagEnd < 0)
            {
                return CheckedIncomplete(data, pos);
            }

            if (!selfClosing && XmppElement.LocalNameIs(data[pos..tagEnd], "stream"u8))
            {
                (start, length, consumed) = (pos, tagEnd - pos, tagEnd);
                return XmppToken.StreamOpen;
            }

            var end = selfClosing ? tagEnd : ElementEnd(data, tagEnd, 1);
            if (end < 0)
            {
                return CheckedIncomplete(data, pos);
            }

            (start, length, consumed) = (pos, end - pos, end);
            if (length > MaxElementBytes)
            {
                throw TooLarge();
            }

            return XmppToken.Element;
        }
    }

    /// <summary>
    /// Scans one start tag beginning at <paramref name="pos"/> (on its '&lt;'), honouring quoted attribute values;
    /// returns the index just past its '&gt;', or −1 when the tag is not complete yet.
    /// </summary>
    public static int ScanTag(ReadOnlySpan<byte> data, int pos, out bool selfClosing)
    {
        selfClosing = false;
        var i = pos + 1;
        while (true)
        {
            var next = data[i..].IndexOfAny((byte)'>', (byte)'\'', (byte)'"');
            if (next < 0)
            {
                return -1;
            }

            var at = i + next;
            if (data[at] == (byte)'>')
            {
                selfClosing = data[at - 1] == (byte)'/';
                return at + 1;
            }

            var quote = data[at];
            var closing = data[(at + 1)..].IndexOf(quote);
            if (closing < 0)
            {
                return -1;
            }

            i = at + 1 + closing + 1;
        }
    }

    /// <summary>
    /// From <paramref name="pos"/> inside an element at <paramref name="depth"/>, the index just past the end tag that
    /// brings the depth to zero; −1 when the data ends first.
    /// </summary>
    public static int ElementEnd(ReadOnlySpan<byte> data, int pos, int depth)
    {
        while (depth > 0)
        {
            var lt = data[pos..].IndexOf((byte)'<');
            if (lt < 0)
            {
                return -1;
            }

            pos += lt;
            if (pos + 1 >= data.Length)
            {
                return -1;
            }

            switch (data[pos + 1])
            {
                case (byte)'/':
                    var close = data[pos..].IndexOf((byte)'>');
                    if (close < 0)
                    {
                        return -1;
                    }

                    pos += close + 1;
                    depth--;
                    break;
                case (byte)'?':
                case (byte)'!':
                    pos = SkipMarkup(data, pos);
                    if (pos < 0)
                    {
                        return -1;
                    }

                    break;
                default:
                    var tagEnd = ScanTag(data, pos, out var selfClosing);
                    if (tagEnd < 0)
                    {
                        return -1;
                    }

                    pos = tagEnd;
                    if (!selfClosing)
                    {
                        depth++;
                    }

                    break;
            }
        }

        return pos;
    }

    /// <summary>Skips <c>&lt;?…?&gt;</c>, <c>&lt;!--…--&gt;</c>, <c>&lt;![CDATA[…]]&gt;</c> or another <c>&lt;!…&gt;</c> at <paramref name="pos"/>; −1 when incomplete.</summary>
    public static int SkipMarkup(ReadOnlySpan<byte> data, int pos)
    {
        var rest = data[pos..];
        ReadOnlySpan<byte> opening, terminator;
        if (rest.Length > 1 && rest[1] == (byte)'?')
        {
            opening = "<?"u8;
            terminator = "?>"u8;
        }
        else if (rest.StartsWith("<!--"u8))
        {
            opening = "<!--"u8;
            terminator = "-->"u8;
        }
        else if (rest.StartsWith("<![CDATA["u8))
        {
            opening = "<![CDATA["u8;
            terminator = "]]>"u8;
        }
        else if (PrefixOf(rest, "<!--"u8) || PrefixOf(rest, "<![CDATA["u8))
        {
            return -1;
        }
        else
        {
            opening = "<!"u8;
            terminator = ">"u8;
        }

        var end = rest[opening.Length..].IndexOf(terminator);
        return end < 0 ? -1 : pos + opening.Length + end + terminator.Length;
    }

    /// <summary>True when <paramref name="data"/> is a proper prefix of <paramref name="marker"/> (more bytes could still make it one).</summary>
    private static bool PrefixOf(ReadOnlySpan<byte> data, ReadOnlySpan<byte> marker) =>
        data.Length < marker.Length && marker.StartsWith(data);

    private static XmppToken CheckedIncomplete(ReadOnlySpan<byte> data, int pos)
    {
        if (data.Length - pos > MaxElementBytes)
        {
            throw TooLarge();
        }

        return XmppToken.Incomplete;
    }

    private static InvalidDataException TooLarge() =>
        new($"an XMPP element is larger than {XmppScanner.MaxElementBytes:N0} bytes (XmppScanner.MaxElementBytes)");
}
