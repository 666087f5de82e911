using System.Buffers;
using System.Text;
using Parley.Bench.Targets.Xmpp;

namespace Parley.Bench.Tests;

public sealed class XmppScannerTests
{
    // A server's side of a login and two messages, as ejabberd and Prosody write them (bench/peers/xmpp_smoke.py -v).
    private const string Stream =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' from='localhost' version='1.0' xml:lang='en'>"
        + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>"
        + "<iq type='result' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>user1@localhost/bench</jid></bind></iq>"
        + "\n \n"
        + "<presence from='user1@localhost/bench' to='user1@localhost/bench'/>"
        + "<message xml:lang='en' to='user1@localhost' from='user0@localhost/bench' type='chat' id='a&gt;b'><body>0000000000000001.......</body></message>"
        + "<!-- a comment --><message type=\"chat\" from=\"user2@localhost/bench\" note=\"1 > 0\"><thread>t</thread><body>x &amp; y &lt;z&gt;</body></message>"
        + "<message to='user1@localhost' type='error'><body>0000000000000002</body><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
        + "</stream:stream>";

    private static readonly string[] Expected =
    [
        "open:stream:stream",
        "element:stream:features",
        "element:iq",
        "element:presence",
        "element:message",
        "element:message",
        "element:message",
        "close",
    ];

    [Fact]
    public void Next_WholeStream_FindsEachTopLevelElement()
    {
        Assert.Equal(Expected, Cut([Encoding.UTF8.GetBytes(Stream)]).Tokens);
    }

    [Fact]
    public void Drain_StreamSplitAtEveryByte_FindsTheSameElementsAndBodies()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        var whole = Cut([bytes]);
        for (var split = 1; split < bytes.Length; split++)
        {
            var cut = Cut([bytes[..split], bytes[split..]]);
            Assert.Equal(whole.Tokens, cut.Tokens);
            Assert.Equal(whole.Bodies, cut.Bodies);
        }
    }

    [Fact]
    public void Drain_StreamInSmallSegments_ArrivingPieceByPiece_FindsTheSameElements()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        foreach (var size in new[] { 1, 3, 7, 64 })
        {
            var handler = new Recorder();
            var pending = new List<byte[]>();
            for (var at = 0; at < bytes.Length; at += size)
            {
                // What the pipe holds: everything not yet consumed, in segments of the size it arrived in.
                pending.Add(bytes[at..Math.Min(bytes.Length, at + size)]);
                var buffer = Segments.Of(pending);
                XmppStreamCutter.Drain(ref buffer, handler);
                pending = [buffer.ToArray()];
            }

            Assert.Equal(Expected, handler.Tokens);
            Assert.Equal(["0000000000000001.......", "x & y <z>"], handler.Bodies);
        }
    }

    [Fact]
    public void Next_IncompleteTag_WithQuotedGreaterThan_WaitsForTheRealEnd()
    {
        var data = "<message note='a > b' type='chat'><body>hi</bo"u8;

        Assert.Equal(XmppToken.Incomplete, XmppScanner.Next(data, out var consumed, out _, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Next_OnlyWhitespace_IsConsumed()
    {
        Assert.Equal(XmppToken.Incomplete, XmppScanner.Next(" \n\t "u8, out var consumed, out _, out _));
        Assert.Equal(4, consumed);
    }

    [Fact]
    public void Next_CommentContainingTags_IsSkipped()
    {
        var data = "<!--<message>--><presence/>"u8;

        Assert.Equal(XmppToken.Element, XmppScanner.Next(data, out var consumed, out var start, out var length));
        Assert.Equal("<presence/>", Encoding.UTF8.GetString(data.Slice(start, length)));
        Assert.Equal(data.Length, consumed);
    }

    [Fact]
    public void Next_ElementLargerThanTheLimit_IsRefused()
    {
        var huge = Encoding.ASCII.GetBytes("<message><body>" + new string('a', XmppScanner.MaxElementBytes) + "</body></message>");

        Assert.Throws<InvalidDataException>(() => XmppScanner.Next(huge, out _, out _, out _));
        Assert.Throws<InvalidDataException>(() => XmppScanner.Next(huge.AsSpan(0, huge.Length - 10), out _, out _, out _));
    }

    [Theory]
    [InlineData("<message to='u1@localhost' type='chat' id='7'><body>abc</body></message>")]
    [InlineData("<message type='chat' id='7' to='u1@localhost'><body>abc</body></message>")]
    [InlineData("<message id=\"7\" type = \"chat\" to=\"u1@localhost\"><subject>s</subject><body>abc</body></message>")]
    [InlineData("<cli:message xmlns:cli='jabber:client' type='chat'><cli:body>abc</cli:body></cli:message>")]
    public void Classify_ChatMessage_AttributesInAnyOrder_FindsTheBody(string stanza)
    {
        Assert.Equal(XmppStanzaKind.Chat, XmppMessages.Classify(Encoding.UTF8.GetBytes(stanza), out var body, out var escaped));
        Assert.Equal("abc", Encoding.UTF8.GetString(body));
        Assert.False(escaped);
    }

    [Fact]
    public void Classify_ErrorMessage_IsABounce_EvenWithTheOriginalBody()
    {
        var stanza = "<message type='error' from='u1@localhost'><body>abc</body><error type='cancel'/></message>"u8;

        Assert.Equal(XmppStanzaKind.Bounce, XmppMessages.Classify(stanza, out _, out _));
    }

    [Theory]
    [InlineData("<message type='chat'><body/></message>", "")]
    [InlineData("<message type='chat'><body><![CDATA[a<b&c]]></body></message>", "a<b&c")]
    public void Classify_EmptyAndCDataBodies(string stanza, string expected)
    {
        Assert.Equal(XmppStanzaKind.Chat, XmppMessages.Classify(Encoding.UTF8.GetBytes(stanza), out var body, out var escaped));
        Assert.Equal(expected, Encoding.UTF8.GetString(body));
        Assert.False(escaped);
    }

    [Fact]
    public void Classify_StreamErrorAndOthers()
    {
        Assert.Equal(XmppStanzaKind.StreamError, XmppMessages.Classify("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"u8, out _, out _));
        Assert.Equal(XmppStanzaKind.Other, XmppMessages.Classify("<presence from='a'/>"u8, out _, out _));
        Assert.Equal(XmppStanzaKind.Other, XmppMessages.Classify("<message type='chat'><thread>t</thread></message>"u8, out _, out _));
        Assert.Equal(XmppStanzaKind.Other, XmppMessages.Classify("<iq type='error' id='bind1'><error/></iq>"u8, out _, out _));
    }

    [Fact]
    public void Element_Children_AndAttributes_OfFeatures()
    {
        var features = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism> PLAIN </mechanism></mechanisms><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"u8;

        Assert.True(XmppElement.LocalNameIs(features, "features"u8));
        Assert.True(XmppElement.TryGetChild(features, "mechanisms"u8, out var mechanisms));
        var names = new List<string>();
        foreach (var mechanism in XmppElement.Children(mechanisms))
        {
            Assert.True(XmppElement.TryGetText(mechanism, out var text, out _));
            names.Add(Encoding.UTF8.GetString(text).Trim());
        }

        Assert.Equal(["SCRAM-SHA-1", "PLAIN"], names);
        Assert.True(XmppElement.TryGetChild(features, "starttls"u8, out var starttls));
        Assert.True(XmppElement.TryGetAttribute(starttls, "xmlns"u8, out var ns));
        Assert.Equal("urn:ietf:params:xml:ns:xmpp-tls", Encoding.UTF8.GetString(ns));
        Assert.False(XmppElement.HasChild(features, "bind"u8));
        Assert.False(XmppElement.TryGetAttribute(features, "missing"u8, out _));
    }

    private static (List<string> Tokens, List<string> Bodies) Cut(IReadOnlyList<byte[]> arrivals)
    {
        var handler = new Recorder();
        var pending = Array.Empty<byte>();
        foreach (var arrival in arrivals)
        {
            var buffer = Segments.Of([pending, arrival]);
            XmppStreamCutter.Drain(ref buffer, handler);
            pending = buffer.ToArray();
        }

        return (handler.Tokens, handler.Bodies);
    }

    private sealed class Recorder : IXmppTokenHandler
    {
        public List<string> Tokens { get; } = [];

        public List<string> Bodies { get; } = [];

        public bool Handle(XmppToken token, ReadOnlySpan<byte> element)
        {
            switch (token)
            {
                case XmppToken.StreamOpen:
                    Tokens.Add($"open:{Encoding.UTF8.GetString(XmppElement.QualifiedName(element))}");
                    break;
                case XmppToken.StreamClose:
                    Tokens.Add("close");
                    return false;
                default:
                    Tokens.Add($"element:{Encoding.UTF8.GetString(XmppElement.QualifiedName(element))}");
                    if (XmppMessages.Classify(element, out var body, out var escaped) == XmppStanzaKind.Chat)
                    {
                        var text = new byte[body.Length];
                        var length = escaped ? XmlText.Unescape(body, text) : body.Length;
                        if (!escaped)
                        {
                            body.CopyTo(text);
                        }

                        Bodies.Add(Encoding.UTF8.GetString(text, 0, length));
                    }

                    break;
            }

            return true;
        }
    }
}

/// <summary>A ReadOnlySequence over several arrays, one segment each (empty ones dropped), as a pipe returns it.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(IEnumerable<byte[]> parts)
    {
        Segments? first = null, last = null;
        foreach (var part in parts.Where(p => p.Length > 0))
        {
            var segment = new Segments(part, last is null ? 0 : last.RunningIndex + last.Memory.Length);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }
}
