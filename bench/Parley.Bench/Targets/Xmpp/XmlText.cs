using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>
/// XML character data for stanza bodies and attribute values (XML 1.0 §2.4, §4.6): the five predefined entities
/// out, and in, with numeric character references on the way in. The bench's payloads are hex and '.' padding
/// (Metrics/PayloadHeader), so the fast path, a search that finds nothing to escape, is the one that runs.
/// </summary>
internal static class XmlText
{
    private static readonly SearchValues<byte> Special = SearchValues.Create("<>&'\""u8);

    /// <summary>Bytes XML 1.0 cannot carry at all, escaped or not: C0 controls other than tab, LF and CR.</summary>
    private static readonly SearchValues<byte> Forbidden = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    /// <summary>The length of <paramref name="text"/> once escaped.</summary>
    /// <exception cref="ArgumentException">The text holds a control character XML cannot represent.</exception>
    public static int EscapedLength(ReadOnlySpan<byte> text)
    {
        if (text.ContainsAny(Forbidden))
        {
            throw new ArgumentException("the text holds a control character that XML 1.0 cannot carry", nameof(text));
        }

        var length = text.Length;
        var rest = text;
        int at;
        while ((at = rest.IndexOfAny(Special)) >= 0)
        {
            length += Entity(rest[at]).Length - 1;
            rest = rest[(at + 1)..];
        }

        return length;
    }

    /// <summary>Writes <paramref name="text"/> escaped into <paramref name="destination"/> (at least <see cref="EscapedLength"/> long); returns the bytes written.</summary>
    public static int Escape(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var written = 0;
        var rest = text;
        int at;
        while ((at = rest.IndexOfAny(Special)) >= 0)
        {
            rest[..at].CopyTo(destination[written..]);
            written += at;
            var entity = Entity(rest[at]);
            entity.CopyTo(destination[written..]);
            written += entity.Length;
            rest = rest[(at + 1)..];
        }

        rest.CopyTo(destination[written..]);
        return written + rest.Length;
    }

    /// <summary>True when <paramref name="text"/> needs <see cref="Unescape"/> (it holds an entity or character reference).</summary>
    public static bool NeedsUnescape(ReadOnlySpan<byte> text) => text.Contains((byte)'&');

    /// <summary>
    /// Writes <paramref name="text"/> with its references resolved into <paramref name="destination"/> (at least as long
    /// as the text: a reference is never shorter than what it stands for); returns the bytes written.
    /// </summary>
    /// <exception cref="InvalidDataException">An unknown entity or a bad character reference.</exception>
    public static int Unescape(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var written = 0;
        var rest = text;
        int at;
        while ((at = rest.IndexOf((byte)'&')) >= 0)
        {
            rest[..at].CopyTo(destination[written..]);
            written += at;
            rest = rest[(at + 1)..];
            var semicolon = rest.IndexOf((byte)';');
            if (semicolon <= 0)
            {
                throw new InvalidDataException("an '&' in XML text that starts no reference");
            }

            var name = rest[..semicolon];
            rest = rest[(semicolon + 1)..];
            byte single = name switch
            {
                _ when name.SequenceEqual("lt"u8) => (byte)'<',
                _ when name.SequenceEqual("gt"u8) => (byte)'>',
                _ when name.SequenceEqual("amp"u8) => (byte)'&',
                _ when name.SequenceEqual("apos"u8) => (byte)'\'',
                _ when name.SequenceEqual("quot"u8) => (byte)'"',
                _ => 0,
            };
            if (single != 0)
            {
                destination[written++] = single;
                continue;
            }

            written += CharacterReference(name, destination[written..]);
        }

        rest.CopyTo(destination[written..]);
        return written + rest.Length;
    }

    /// <summary>A string escaped for an attribute value or text: for the few stanzas built once per login.</summary>
    public static string Escape(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var escaped = new byte[EscapedLength(bytes)];
        Escape(bytes, escaped);
        return Encoding.UTF8.GetString(escaped);
    }

    private static ReadOnlySpan<byte> Entity(byte special) => special switch
    {
        (byte)'<' => "&lt;"u8,
        (byte)'>' => "&gt;"u8,
        (byte)'&' => "&amp;"u8,
        (byte)'\'' => "&apos;"u8,
        _ => "&quot;"u8,
    };

    /// <summary><c>#NN</c> or <c>#xHH</c>, written as UTF-8 (at most 4 bytes, never more than the reference's own length).</summary>
    private static int CharacterReference(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        if (name.Length < 2 || name[0] != (byte)'#')
        {
            throw new InvalidDataException($"unknown XML entity '&{Encoding.ASCII.GetString(name)};'");
        }

        uint code;
        bool parsed;
        if (name[1] is (byte)'x' or (byte)'X')
        {
            parsed = Utf8Parser.TryParse(name[2..], out code, out var used, 'x') && used == name.Length - 2;
        }
        else
        {
            parsed = Utf8Parser.TryParse(name[1..], out code, out var used) && used == name.Length - 1;
        }

        if (!parsed || !Rune.TryCreate(code, out var rune) || (code < 0x20 && code is not (0x9 or 0xA or 0xD)))
        {
            throw new InvalidDataException($"bad XML character reference '&{Encoding.ASCII.GetString(name)};'");
        }

        return rune.EncodeToUtf8(destination);
    }
}
