using System.Text;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>
/// What the adapter sends, byte for byte the flow bench/peers/xmpp_smoke.py shows the peers accept (RFC 6120
/// §4.2 stream header, §5 STARTTLS, §6 SASL, §7 resource binding; RFC 6121 §4.2 initial presence, §5.2 messages).
/// </summary>
internal static class XmppStanzas
{
    public const string NsTls = "urn:ietf:params:xml:ns:xmpp-tls";
    public const string NsSasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public const string NsBind = "urn:ietf:params:xml:ns:xmpp-bind";
    public const string NsSession = "urn:ietf:params:xml:ns:xmpp-session";

    public const string BindId = "bind1";
    public const string SessionId = "sess1";

    /// <summary>After the last body byte of every message.</summary>
    public static ReadOnlySpan<byte> MessageSuffix => "</body></message>"u8;

    public static ReadOnlySpan<byte> Presence => "<presence/>"u8;

    public static ReadOnlySpan<byte> StreamClose => "</stream:stream>"u8;

    public static ReadOnlySpan<byte> StartTls => "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8;

    public static byte[] StreamHeader(string domain) => Encoding.UTF8.GetBytes(
        $"<?xml version='1.0'?><stream:stream to='{XmlText.Escape(domain)}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");

    /// <summary>SASL PLAIN (RFC 4616): base64 of NUL authcid NUL password, no authzid.</summary>
    public static byte[] AuthPlain(string user, string password) => Encoding.UTF8.GetBytes(
        $"<auth xmlns='{NsSasl}' mechanism='PLAIN'>{Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"))}</auth>");

    public static byte[] Bind(string resource) => Encoding.UTF8.GetBytes(
        $"<iq type='set' id='{BindId}'><bind xmlns='{NsBind}'><resource>{XmlText.Escape(resource)}</resource></bind></iq>");

    public static byte[] Session() => Encoding.UTF8.GetBytes($"<iq type='set' id='{SessionId}'><session xmlns='{NsSession}'/></iq>");

    /// <summary>Everything of a chat message to <paramref name="bareJid"/> before its body text.</summary>
    public static byte[] MessagePrefix(string bareJid) => Encoding.UTF8.GetBytes($"<message to='{XmlText.Escape(bareJid)}' type='chat'><body>");
}

/// <summary>Each account's message prefix, made once and shared by every client of a target (a send only copies it).</summary>
internal sealed class XmppAddressBook(PeerAccounts accounts, string domain)
{
    private readonly Lock _grow = new();
    private byte[][] _prefixes = [];

    public string Domain { get; } = domain;

    public string BareJid(int index) => $"{accounts[index]}@{Domain}";

    public byte[] MessagePrefix(int index)
    {
        var prefixes = Volatile.Read(ref _prefixes);
        return (uint)index < (uint)prefixes.Length ? prefixes[index] : Grow(index);
    }

    private byte[] Grow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (_grow)
        {
            var prefixes = _prefixes;
            if (index >= prefixes.Length)
            {
                var grown = new byte[Math.Max(index + 1, prefixes.Length * 2)][];
                prefixes.CopyTo(grown, 0);
                for (var i = prefixes.Length; i < grown.Length; i++)
                {
                    grown[i] = XmppStanzas.MessagePrefix(BareJid(i));
                }

                Volatile.Write(ref _prefixes, grown);
                prefixes = grown;
            }

            return prefixes[index];
        }
    }
}
