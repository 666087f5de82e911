using Parley.Bench.Cli;
using Parley.Bench.Targets.Mqtt;
using Parley.Bench.Targets.Xmpp;

namespace Parley.Bench.Targets;

/// <summary>The <c>--target</c> schemes of the XMPP and MQTT adapters, for <see cref="TargetFactory"/>.</summary>
internal static class PeerTargets
{
    public static IReadOnlyList<string> Schemes { get; } = [XmppTarget.DirectScheme, XmppTarget.StartTlsScheme, MqttTarget.Scheme];

    public static bool Handles(string scheme) => Schemes.Contains(scheme);

    /// <summary>
    /// An adapter for a server that is already running. Its certificate must be pinned: the peers serve a self-signed
    /// one, and trusting whatever answers would hide a wrong port or a stale certificate.
    /// </summary>
    public static IBenchTarget Create(BenchOptions options, TargetEndpoint endpoint, SourceAddresses sources)
    {
        var fingerprint = options.Fingerprint ?? throw new UsageException(
            $"{endpoint.Scheme}:// needs --fingerprint (the SHA-256 of the server's certificate, e.g. "
            + "openssl x509 -in $PEER_STATE/ejabberd/tls/cert.pem -noout -fingerprint -sha256)");
        var pin = new CertificatePin(fingerprint);
        var accounts = PeerAccounts.FromEnvironment();
        if (endpoint.Scheme == MqttTarget.Scheme)
        {
            if (options.Peers.MqttQos.Count != 1)
            {
                throw new UsageException("--mqtt-qos takes one level with --target (a list is for compare)");
            }

            return new MqttTarget(endpoint, pin, options.Peers.MqttQos[0], sources, accounts, options.ServerPid);
        }

        return new XmppTarget(endpoint, options.Peers.XmppDomain, pin, sources, accounts, options.ServerPid);
    }
}
