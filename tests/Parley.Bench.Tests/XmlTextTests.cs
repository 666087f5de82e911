using System.Text;
using Parley.Bench.Metrics;
using Parley.Bench.Targets.Xmpp;

namespace Parley.Bench.Tests;

public sealed class XmlTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a<b>c&d'e\"f", "a&lt;b&gt;c&amp;d&apos;e&quot;f")]
    [InlineData("&&", "&amp;&amp;")]
    [InlineData("", "")]
    public void Escape_TheFiveSpecials(string text, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var escaped = new byte[XmlText.EscapedLength(bytes)];

        Assert.Equal(escaped.Length, XmlText.Escape(bytes, escaped));
        Assert.Equal(expected, Encoding.UTF8.GetString(escaped));
    }

    [Theory]
    [InlineData("a&lt;b&gt;c&amp;d&apos;e&quot;f", "a<b>c&d'e\"f")]
    [InlineData("&#65;&#x42;&#X43;", "ABC")]
    [InlineData("caf&#233;", "café")]
    [InlineData("&#x1F600;", "😀")]
    public void Unescape_EntitiesAndCharacterReferences(string text, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var plain = new byte[bytes.Length];

        Assert.True(XmlText.NeedsUnescape(bytes));
        Assert.Equal(expected, Encoding.UTF8.GetString(plain, 0, XmlText.Unescape(bytes, plain)));
    }

    [Theory]
    [InlineData("&nbsp;")]
    [InlineData("&#1;")]
    [InlineData("a & b")]
    [InlineData("&#xZZ;")]
    public void Unescape_BadReferences_AreRefused(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Throws<InvalidDataException>(() => XmlText.Unescape(bytes, new byte[bytes.Length]));
    }

    [Fact]
    public void EscapedLength_ControlCharacter_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => XmlText.EscapedLength([(byte)'a', 0x01]));
        Assert.Equal(3, XmlText.EscapedLength("\t\r\n"u8));
    }

    [Fact]
    public void BenchPayload_NeedsNoEscaping_AndRoundTrips()
    {
        // The instrument's payloads are hex and '.' padding: the fast path, copied as is.
        var payload = PayloadHeader.CreateBuffer(256);
        PayloadHeader.Write(payload, 12, 34, 56);

        Assert.Equal(payload.Length, XmlText.EscapedLength(payload));
        var escaped = new byte[payload.Length];
        XmlText.Escape(payload, escaped);
        Assert.Equal(payload, escaped);
        Assert.False(XmlText.NeedsUnescape(escaped));
    }

    [Fact]
    public void Stanzas_MessagePrefix_EscapesTheJid_AndAuthPlainIsBase64()
    {
        Assert.Equal("<message to='a&apos;b@localhost' type='chat'><body>", Encoding.UTF8.GetString(XmppStanzas.MessagePrefix("a'b@localhost")));
        var auth = Encoding.UTF8.GetString(XmppStanzas.AuthPlain("user1", "Bench-Pass-123"));
        Assert.Equal($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{Convert.ToBase64String("\0user1\0Bench-Pass-123"u8)}</auth>", auth);
    }
}
