using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>How one XMPP client connects and logs in.</summary>
internal sealed record XmppConnectSettings(
    IPEndPoint Server,
    bool StartTls,
    string Domain,
    CertificatePin Pin,
    string Resource,
    TimeSpan LoginTimeout);

/// <summary>
/// The login, once per connection and off the hot path (it copies every element it reads): the stream header,
/// STARTTLS when asked (RFC 6120 §5.4), TLS 1.3 against the pinned certificate, SASL PLAIN (§6.4), a new stream,
/// resource binding (§7), a session only when the server says it is not optional (RFC 6121 errata / draft
/// session-establishment §2), then initial presence, without which a message to the bare JID is not delivered.
/// </summary>
internal sealed class XmppLogin
{
    private static readonly SslApplicationProtocol XmppClientAlpn = new("xmpp-client");

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly string _who;

    private XmppLogin(Stream stream, PipeReader reader, string who)
    {
        _stream = stream;
        _reader = reader;
        _who = who;
    }

    /// <summary>Connects from <paramref name="source"/> and logs in as <paramref name="user"/>; the stream and its reader are returned ready for stanzas.</summary>
    public static async Task<(SslStream Stream, PipeReader Reader)> ConnectAsync(
        XmppConnectSettings settings, IPAddress? source, string user, string password, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.LoginTimeout);
        var token = timeout.Token;
        var socket = Floor.FloorTls.CreateClientSocket(settings.Server, source);
        NetworkStream network;
        try
        {
            await socket.ConnectAsync(settings.Server, token);
            network = new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new BenchTargetException($"connecting {user} took over {settings.LoginTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        SslStream? ssl = null;
        PipeReader? reader = null;
        try
        {
            if (settings.StartTls)
            {
                await StartTlsAsync(network, settings.Domain, user, token);
            }

            ssl = new SslStream(network, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(
                settings.Pin.ClientOptions(settings.Domain, settings.StartTls ? null : [XmppClientAlpn]), token);
            reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
            await new XmppLogin(ssl, reader, user).LoginAsync(settings, user, password, token);
            return (ssl, reader);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(reader, ssl, network);
            throw new BenchTargetException($"login of {user} took over {settings.LoginTimeout.TotalSeconds:0} s");
        }
        catch
        {
            await DisposeAsync(reader, ssl, network);
            throw;
        }
    }

    /// <summary>The plaintext part of a STARTTLS port: stream, features with &lt;starttls/&gt;, &lt;proceed/&gt;.</summary>
    private static async Task StartTlsAsync(NetworkStream network, string domain, string user, CancellationToken cancellationToken)
    {
        var plain = PipeReader.Create(network, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            var login = new XmppLogin(network, plain, user);
            await login.WriteAsync(XmppStanzas.StreamHeader(domain), cancellationToken);
            var features = await login.ExpectAsync("features", cancellationToken);
            if (!XmppElement.HasChild(features, "starttls"u8))
            {
                throw login.Fail("the server offers no STARTTLS", features);
            }

            await login.WriteAsync(XmppStanzas.StartTls.ToArray(), cancellationToken);
            var proceed = await login.ExpectAsync("proceed", cancellationToken);
            _ = proceed;
        }
        finally
        {
            // Nothing follows <proceed/> before the TLS handshake, so the reader holds no bytes TLS needs.
            await plain.CompleteAsync();
        }
    }

    private async Task LoginAsync(XmppConnectSettings settings, string user, string password, CancellationToken cancellationToken)
    {
        var header = XmppStanzas.StreamHeader(settings.Domain);
        await WriteAsync(header, cancellationToken);
        var features = await ExpectAsync("features", cancellationToken);
        var plainOffered = XmppElement.TryGetChild(features, "mechanisms"u8, out var mechanisms) && OffersPlain(mechanisms);
        if (!plainOffered)
        {
            throw Fail("the server does not offer SASL PLAIN", features);
        }

        await WriteAsync(XmppStanzas.AuthPlain(user, password), cancellationToken);
        var outcome = await NextElementAsync(cancellationToken);
        if (!XmppElement.LocalNameIs(outcome, "success"u8))
        {
            throw Fail($"SASL PLAIN refused for {user} (are the accounts made? bench/peers/<peer>.sh accounts N)", outcome);
        }

        await WriteAsync(header, cancellationToken);
        features = await ExpectAsync("features", cancellationToken);
        if (!XmppElement.HasChild(features, "bind"u8))
        {
            throw Fail("the server offers no resource binding", features);
        }

        await WriteAsync(XmppStanzas.Bind(settings.Resource), cancellationToken);
        await ExpectResultAsync(XmppStanzas.BindId, "bind", cancellationToken);
        if (XmppElement.TryGetChild(features, "session"u8, out var session) && !XmppElement.HasChild(session, "optional"u8))
        {
            await WriteAsync(XmppStanzas.Session(), cancellationToken);
            await ExpectResultAsync(XmppStanzas.SessionId, "session", cancellationToken);
        }

        await WriteAsync(XmppStanzas.Presence.ToArray(), cancellationToken);
    }

    private static bool OffersPlain(ReadOnlySpan<byte> mechanisms)
    {
        foreach (var mechanism in XmppElement.Children(mechanisms))
        {
            if (XmppElement.TextIs(mechanism, "PLAIN"u8))
            {
                return true;
            }
        }

        return false;
    }

    private async Task ExpectResultAsync(string id, string what, CancellationToken cancellationToken)
    {
        var idBytes = Encoding.ASCII.GetBytes(id);
        while (true)
        {
            var element = await NextElementAsync(cancellationToken);
            if (!XmppElement.LocalNameIs(element, "iq"u8) || !XmppElement.TryGetAttribute(element, "id"u8, out var got) || !got.SequenceEqual(idBytes))
            {
                continue;
            }

            if (!XmppElement.TryGetAttribute(element, "type"u8, out var type) || !type.SequenceEqual("result"u8))
            {
                throw Fail($"{what} failed", element);
            }

            return;
        }
    }

    private async Task<byte[]> ExpectAsync(string localName, CancellationToken cancellationToken)
    {
        var element = await NextElementAsync(cancellationToken);
        if (!XmppElement.LocalName(element).SequenceEqual(Encoding.ASCII.GetBytes(localName)))
        {
            throw Fail($"expected <{localName}>", element);
        }

        return element;
    }

    /// <summary>The next whole top-level element, the server's stream headers skipped; a stream error or close fails the login.</summary>
    private async Task<byte[]> NextElementAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var (token, element, consumed) = Scan(buffer);
            _reader.AdvanceTo(buffer.GetPosition(consumed), token == XmppToken.Incomplete ? buffer.End : buffer.GetPosition(consumed));
            switch (token)
            {
                case XmppToken.Element when XmppElement.LocalNameIs(element, "error"u8) && XmppElement.QualifiedName(element).StartsWith("stream:"u8):
                    throw Fail("stream error", element);
                case XmppToken.Element:
                    return element!;
                case XmppToken.StreamClose:
                    throw new BenchTargetException($"the server closed the stream while {_who} logged in");
                case XmppToken.Incomplete when result.IsCompleted:
                    throw new BenchTargetException($"the server closed the connection while {_who} logged in");
            }
        }
    }

    private static (XmppToken Token, byte[]? Element, long Consumed) Scan(ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> data = buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray();
        var token = XmppScanner.Next(data, out var consumed, out var start, out var length);
        return (token, token == XmppToken.Element ? data.Slice(start, length).ToArray() : null, consumed);
    }

    private async Task WriteAsync(byte[] data, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(data, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    private BenchTargetException Fail(string what, ReadOnlySpan<byte> element)
    {
        var text = Encoding.UTF8.GetString(element.Length > 300 ? element[..300] : element);
        return new BenchTargetException($"XMPP login of {_who}: {what}: {text}");
    }

    private static async Task DisposeAsync(PipeReader? reader, SslStream? ssl, NetworkStream network)
    {
        if (reader is not null)
        {
            await reader.CompleteAsync();
        }

        if (ssl is not null)
        {
            await ssl.DisposeAsync();
        }

        await network.DisposeAsync();
    }
}
