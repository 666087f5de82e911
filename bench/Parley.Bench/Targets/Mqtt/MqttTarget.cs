using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Parley.Bench.Targets.Mqtt;

/// <summary>
/// An MQTT broker over TLS (Mosquitto; bench/peers): <c>mqtts://HOST:PORT</c>. One MQTTnet client per account,
/// MQTT 3.1.1, user name <c>user{i}</c> with the peers' password, a clean session, no keep-alive pings (the run is
/// short and every connection busy), subscribed to its own topic (<see cref="MqttTopics"/>) at the run's QoS.
/// </summary>
internal sealed class MqttTarget : IBenchTarget
{
    public const string Scheme = "mqtts";

    /// <summary>Socket buffers for each client: MQTTnet sets SO_SNDBUF/SO_RCVBUF to this (its default is 8 KiB).</summary>
    private const int SocketBufferBytes = 64 * 1024;

    private readonly TargetEndpoint _endpoint;
    private readonly CertificatePin _pin;
    private readonly SourceAddresses _sources;
    private readonly PeerAccounts _accounts;
    private readonly MqttTopics _topics;
    private readonly MqttClientFactory _factory = new();
    private readonly IAsyncDisposable? _owned;

    public MqttTarget(
        TargetEndpoint endpoint, CertificatePin pin, int qos, SourceAddresses sources, PeerAccounts accounts, int? serverPid, string? name = null, IAsyncDisposable? owned = null)
    {
        if (qos is not (0 or 1))
        {
            throw new BenchTargetException($"MQTT QoS {qos} is not supported here (0 or 1)");
        }

        _endpoint = endpoint;
        _pin = pin;
        _sources = sources;
        _accounts = accounts;
        _owned = owned;
        _topics = new MqttTopics(accounts);
        Qos = (MqttQualityOfServiceLevel)qos;
        ServerProcessId = serverPid;
        Kind = name ?? "mqtt";
    }

    public string Kind { get; }

    public string Description => $"{_endpoint} (MQTT 3.1.1, QoS {(int)Qos}, MQTTnet)";

    public int? ServerProcessId { get; }

    public bool OwnsServer => _owned is not null;

    public bool RoutesToPeer => true;

    public MqttQualityOfServiceLevel Qos { get; }

    /// <summary>The broker checks the password file that <c>bench/peers/mosquitto.sh accounts N</c> wrote; a missing account fails its CONNECT.</summary>
    public Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken)
    {
        var user = _accounts[index];
        var source = _endpoint.Address.AddressFamily == AddressFamily.InterNetwork ? _sources.For(index) : null;
        var options = new MqttClientOptionsBuilder()
            .WithEndPoint(new IPEndPoint(_endpoint.Address, _endpoint.Port))
            .WithTcpServer(tcp =>
            {
                // Build() takes the remote end point from WithEndPoint only; these are the rest of the TCP options.
                tcp.LocalEndpoint = source is null ? null : new IPEndPoint(source, 0);
                tcp.NoDelay = true;
                tcp.BufferSize = SocketBufferBytes;
            })
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("localhost")
                .WithSslProtocols(CertificatePin.Protocols)
                .WithCipherSuitesPolicy(CertificatePin.CipherSuites!)
                .WithRevocationMode(System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck)
                .WithCertificateValidationHandler(e => _pin.Matches(e.Certificate)))
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId($"bench-{Environment.ProcessId}-{index.ToString(CultureInfo.InvariantCulture)}")
            .WithCredentials(user, _accounts.Password)
            .WithCleanSession()
            .WithNoKeepAlive()
            .WithTimeout(TimeSpan.FromSeconds(60))
            .Build();

        var client = _factory.CreateMqttClient();
        try
        {
            var connected = await client.ConnectAsync(options, cancellationToken);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new BenchTargetException($"MQTT CONNECT of {user} refused: {connected.ResultCode} (are the accounts made? bench/peers/mosquitto.sh accounts N)");
            }

            var bench = new MqttBenchClient(index, client, _topics, Qos, sink);
            var subscribe = _factory.CreateSubscribeOptionsBuilder().WithTopicFilter(_topics[index], Qos).Build();
            var subscribed = await client.SubscribeAsync(subscribe, cancellationToken);
            var granted = subscribed.Items.FirstOrDefault()?.ResultCode;
            if (granted is null || (int)granted > (int)MqttClientSubscribeResultCode.GrantedQoS2)
            {
                await bench.DisposeAsync();
                throw new BenchTargetException($"MQTT SUBSCRIBE of {user} to {_topics[index]} refused: {granted}");
            }

            return bench;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new BenchTargetException($"MQTT connection {index.ToString(CultureInfo.InvariantCulture)} ({user}) to {_endpoint} from {source} failed: {ex.Message}", ex);
        }
        catch (BenchTargetException)
        {
            client.Dispose();
            throw;
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
