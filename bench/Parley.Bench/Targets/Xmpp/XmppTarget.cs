using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Parley.Bench.Targets.Xmpp;

/// <summary>
/// An XMPP server's c2s port (ejabberd, Prosody; bench/peers): <c>xmpp://HOST:PORT</c> is direct TLS (XEP-0368),
/// <c>xmpp+starttls://HOST:PORT</c> a plain stream upgraded with STARTTLS. Account i is <c>user{i}@DOMAIN</c>, made
/// beforehand by <c>bench/peers/&lt;peer&gt;.sh accounts N</c>; a message goes to the peer's bare JID.
/// </summary>
internal sealed class XmppTarget : IBenchTarget
{
    public const string DirectScheme = "xmpp";
    public const string StartTlsScheme = "xmpp+starttls";
    public const string DefaultDomain = "localhost";

    private readonly TargetEndpoint _endpoint;
    private readonly SourceAddresses _sources;
    private readonly XmppConnectSettings _settings;
    private readonly PeerAccounts _accounts;
    private readonly XmppAddressBook _addresses;
    private readonly IAsyncDisposable? _owned;
    private int _cipherSuite = -1;

    public XmppTarget(
        TargetEndpoint endpoint, string domain, CertificatePin pin, SourceAddresses sources, PeerAccounts accounts, int? serverPid, string? name = null, IAsyncDisposable? owned = null)
    {
        _endpoint = endpoint;
        _sources = sources;
        _accounts = accounts;
        _owned = owned;
        ServerProcessId = serverPid;
        Kind = name ?? "xmpp";
        _addresses = new XmppAddressBook(accounts, domain);
        _settings = new XmppConnectSettings(
            new IPEndPoint(endpoint.Address, endpoint.Port), endpoint.Scheme == StartTlsScheme, domain, pin, "bench", TimeSpan.FromSeconds(60));
    }

    public string Kind { get; }

    public string Description => $"{_endpoint} ({(_settings.StartTls ? "STARTTLS" : "direct TLS")}, domain {_settings.Domain})";

    public int? ServerProcessId { get; }

    public bool OwnsServer => _owned is not null;

    public bool RoutesToPeer => true;

    public XmppCounters Counters { get; } = new();

    /// <summary>The TLS suite the first connection negotiated (null before one has).</summary>
    public TlsCipherSuite? CipherSuite => Volatile.Read(ref _cipherSuite) is var suite and >= 0 ? (TlsCipherSuite)suite : null;

    public static bool IsScheme(string scheme) => scheme is DirectScheme or StartTlsScheme;

    /// <summary>The peer scripts make the accounts (<c>bench/peers/&lt;peer&gt;.sh accounts N</c>); a missing one fails its login with that hint.</summary>
    public Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken)
    {
        var source = _endpoint.Address.AddressFamily == AddressFamily.InterNetwork ? _sources.For(index) : null;
        try
        {
            var (stream, reader) = await XmppLogin.ConnectAsync(_settings, source, _accounts[index], _accounts.Password, cancellationToken);
            Interlocked.CompareExchange(ref _cipherSuite, (int)stream.NegotiatedCipherSuite, -1);
            return new XmppClient(index, stream, reader, sink, _addresses, Counters);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or InvalidDataException)
        {
            throw new BenchTargetException(
                $"XMPP connection {index.ToString(CultureInfo.InvariantCulture)} ({_accounts[index]}) to {_endpoint} from {source} failed: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
