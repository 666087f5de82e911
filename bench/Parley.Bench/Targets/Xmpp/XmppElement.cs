namespace Parley.Bench.Targets.Xmpp;

/// <summary>
/// Reads what the adapter needs from one whole element as <see cref="XmppScanner"/> cut it: its local name, an
/// attribute in any position, a child by local name, the text of a leaf. Namespaces are not resolved (the peers
/// use the standard prefixes, RFC 6120 §4.8); names are compared by their local part.
/// </summary>
internal static class XmppElement
{
    private static readonly System.Buffers.SearchValues<byte> NameEnd = System.Buffers.SearchValues.Create(" \t\r\n/>"u8);
    private static readonly System.Buffers.SearchValues<byte> AttributeNameEnd = System.Buffers.SearchValues.Create("= \t\r\n"u8);

    /// <summary>The element name as written (<c>stream:features</c>), from the '&lt;' at index 0.</summary>
    public static ReadOnlySpan<byte> QualifiedName(ReadOnlySpan<byte> element)
    {
        if (element.Length < 2 || element[0] != (byte)'<')
        {
            return default;
        }

        var name = element[1..];
        var end = name.IndexOfAny(NameEnd);
        return end < 0 ? name : name[..end];
    }

    /// <summary>The name after any prefix: <c>features</c> for <c>stream:features</c>.</summary>
    public static ReadOnlySpan<byte> LocalName(ReadOnlySpan<byte> element)
    {
        var name = QualifiedName(element);
        var colon = name.LastIndexOf((byte)':');
        return colon < 0 ? name : name[(colon + 1)..];
    }

    public static bool LocalNameIs(ReadOnlySpan<byte> element, ReadOnlySpan<byte> localName) => LocalName(element).SequenceEqual(localName);

    /// <summary>
    /// The raw (still escaped) value of attribute <paramref name="name"/> of the element's start tag, matched by its
    /// name as written (<c>type</c>, <c>xml:lang</c>), wherever it stands among the others.
    /// </summary>
    public static bool TryGetAttribute(ReadOnlySpan<byte> element, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        var pos = 1 + QualifiedName(element).Length;
        while (pos < element.Length)
        {
            pos = SkipSpace(element, pos);
            if (pos >= element.Length || element[pos] is (byte)'>' or (byte)'/')
            {
                return false;
            }

            var nameEnd = element[pos..].IndexOfAny(AttributeNameEnd);
            if (nameEnd < 0)
            {
                return false;
            }

            var attribute = element.Slice(pos, nameEnd);
            pos = SkipSpace(element, pos + nameEnd);
            if (pos >= element.Length || element[pos] != (byte)'=')
            {
                return false;
            }

            pos = SkipSpace(element, pos + 1);
            if (pos >= element.Length || element[pos] is not ((byte)'\'' or (byte)'"'))
            {
                return false;
            }

            var quote = element[pos];
            var valueLength = element[(pos + 1)..].IndexOf(quote);
            if (valueLength < 0)
            {
                return false;
            }

            if (attribute.SequenceEqual(name))
            {
                value = element.Slice(pos + 1, valueLength);
                return true;
            }

            pos += 1 + valueLength + 1;
        }

        return false;
    }

    /// <summary>The first child element whose local name is <paramref name="localName"/>.</summary>
    public static bool TryGetChild(ReadOnlySpan<byte> element, ReadOnlySpan<byte> localName, out ReadOnlySpan<byte> child)
    {
        foreach (var candidate in Children(element))
        {
            if (LocalNameIs(candidate, localName))
            {
                child = candidate;
                return true;
            }
        }

        child = default;
        return false;
    }

    public static bool HasChild(ReadOnlySpan<byte> element, ReadOnlySpan<byte> localName) => TryGetChild(element, localName, out _);

    /// <summary>The direct children of <paramref name="element"/>, each whole.</summary>
    public static ChildEnumerator Children(ReadOnlySpan<byte> element) => new(element);

    /// <summary>
    /// The text content of a leaf element (<c>&lt;body&gt;TEXT&lt;/body&gt;</c>), still escaped: empty for
    /// <c>&lt;body/&gt;</c>, the inside of one CDATA section as is. False when the element has child elements.
    /// </summary>
    public static bool TryGetText(ReadOnlySpan<byte> element, out ReadOnlySpan<byte> text, out bool isCData)
    {
        text = default;
        isCData = false;
        var tagEnd = XmppScanner.ScanTag(element, 0, out var selfClosing);
        if (tagEnd < 0)
        {
            return false;
        }

        if (selfClosing)
        {
            return true;
        }

        var content = element[tagEnd..];
        var lt = content.IndexOf((byte)'<');
        if (lt < 0)
        {
            return false;
        }

        if (content[lt..].StartsWith("</"u8))
        {
            text = content[..lt];
            return true;
        }

        if (lt == 0 && content.StartsWith("<![CDATA["u8))
        {
            var inner = content[9..];
            var end = inner.IndexOf("]]>"u8);
            if (end >= 0 && inner[(end + 3)..].StartsWith("</"u8))
            {
                text = inner[..end];
                isCData = true;
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the element's text content equals <paramref name="expected"/> (unescaped, as the peers never escape these values).</summary>
    public static bool TextIs(ReadOnlySpan<byte> element, ReadOnlySpan<byte> expected) =>
        TryGetText(element, out var text, out _) && text.Trim(" \t\r\n"u8).SequenceEqual(expected);

    private static int SkipSpace(ReadOnlySpan<byte> data, int pos)
    {
        while (pos < data.Length && data[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>Walks the direct children of one element; text, comments and CDATA between them are skipped.</summary>
    public ref struct ChildEnumerator
    {
        private readonly ReadOnlySpan<byte> _element;
        private int _pos;

        public ChildEnumerator(ReadOnlySpan<byte> element)
        {
            _element = element;
            var tagEnd = XmppScanner.ScanTag(element, 0, out var selfClosing);
            _pos = tagEnd < 0 || selfClosing ? element.Length : tagEnd;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly ChildEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_pos < _element.Length)
            {
                var lt = _element[_pos..].IndexOf((byte)'<');
                if (lt < 0 || _pos + lt + 1 >= _element.Length)
                {
                    break;
                }

                var at = _pos + lt;
                switch (_element[at + 1])
                {
                    case (byte)'/':
                        // The parent's end tag: no more children.
                        _pos = _element.Length;
                        return false;
                    case (byte)'?':
                    case (byte)'!':
                        var skipped = XmppScanner.SkipMarkup(_element, at);
                        _pos = skipped < 0 ? _element.Length : skipped;
                        continue;
                }

                var tagEnd = XmppScanner.ScanTag(_element, at, out var selfClosing);
                var end = tagEnd < 0 ? -1 : selfClosing ? tagEnd : XmppScanner.ElementEnd(_element, tagEnd, 1);
                if (end < 0)
                {
                    break;
                }

                Current = _element[at..end];
                _pos = end;
                return true;
            }

            _pos = _element.Length;
            return false;
        }
    }
}
