using System.Globalization;
using Parley.Bench.Cli;
using Parley.Bench.Metrics;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;
using Parley.Bench.Targets.Floor;
using Parley.Bench.Targets.Mqtt;
using Parley.Bench.Targets.Parley;
using Parley.Bench.Targets.Xmpp;
using Parley.Protocol.Messages;

namespace Parley.Bench.Scenarios.Compare;

/// <summary>
/// compare: the dm workload, with the same clients, size, rate schedule (same seed), warm-up and window, against
/// Parley (spawned), the transport floor, and each peer that is installed (bench/peers), one after another, each
/// on the same pinned core and serving Parley's own certificate; then one table with ratios to Parley.
/// </summary>
internal sealed class CompareScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "compare",
        "dm against Parley, the floor and every installed peer (Mosquitto, ejabberd, Prosody) in turn: one table with ratios",
        FlagGroups.Common | FlagGroups.Duration | FlagGroups.Traffic | FlagGroups.Search | FlagGroups.Spawn | FlagGroups.Compare,
        o => o with { Clients = 100, Size = 256, Rate = RateSetting.Fixed(1000), DurationSeconds = 10, WarmupSeconds = 3 },
        MinClients: 2,
        NeedsTarget: false);

    public Task<IBenchTarget> CreateTargetAsync(BenchOptions options, SourceAddresses sources, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("compare makes one target per row; call CompareAsync");

    public Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("compare makes one session per row; call CompareAsync");

    public async Task<CompareReport> CompareAsync(BenchOptions options, long fdLimit, CancellationToken cancellationToken)
    {
        if (options.ClientCpus is not null && options.ServerCpus is null)
        {
            throw new UsageException("compare with --client-cpus needs --server-cpus too: every server it starts would otherwise inherit the generator's CPUs");
        }

        var report = new CompareReport
        {
            Clients = options.Clients,
            Size = options.Size,
            Rate = options.Rate.ToString(),
            WarmupS = options.WarmupSeconds,
            DurationS = options.DurationSeconds,
            ServerCpus = options.ServerCpus,
        };

        var certificates = Directory.CreateTempSubdirectory("parley-bench-compare-").FullName;
        try
        {
            var run = new Run(options, fdLimit, report, certificates);
            var targets = options.Peers.Targets;

            // Parley first, whatever the order given: its certificate is the one every peer then serves.
            foreach (var name in targets.OrderBy(t => t == "parley" ? 0 : 1))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await run.TargetAsync(name, cancellationToken);
            }

            run.Finish();
            return report;
        }
        finally
        {
            Directory.Delete(certificates, recursive: true);
        }
    }

    /// <summary>The rows of one compare run, in the order they are measured.</summary>
    private sealed class Run(BenchOptions options, long fdLimit, CompareReport report, string certificates)
    {
        private string? _certificate;
        private string? _key;
        private string? _parleyFingerprint;

        public async Task TargetAsync(string name, CancellationToken cancellationToken)
        {
            switch (name)
            {
                case "parley":
                    foreach (var ack in options.ParleyAck)
                    {
                        var label = options.ParleyAck is [AckModes.All] ? "parley" : $"parley ack={ack}";
                        var note = ack == AckModes.All
                            ? "a send completes on the server's delivery status (the recipient's session has it)"
                            : "\"ack\": \"failures\": a send completes once queued, and the server answers only a message it could not deliver";
                        await MeasureAsync(new CompareRow { Target = label, Transport = "parley/1 frames over TLS (spawned parley-server)", Nagle = "off (NoDelay on every accepted socket)" },
                            (sources, token) => SpawnParleyAsync(ack, sources, token), [note], cancellationToken);
                    }

                    break;
                case "floor":
                    await MeasureAsync(new CompareRow { Target = "floor", Transport = "length-prefixed echo over TLS (spawned floor-server)", Nagle = "off (NoDelay)" },
                        async (sources, token) => await FloorTarget.SpawnAsync(options.ServerCpus, options.ServerEnvironment, sources, token),
                        ["echoes each message to its sender; its own self-signed P-256 certificate (same kind as Parley's, not the same key)"], cancellationToken);
                    break;
                default:
                    await PeerAsync(PeerInfo.Find(name)!, cancellationToken);
                    break;
            }
        }

        public void Finish()
        {
            // Ratios are to the first Parley row (the default acks when both ran).
            var parley = report.Rows.FirstOrDefault(r => r.Target.StartsWith("parley", StringComparison.Ordinal) && r.Skipped is null);
            foreach (var row in report.Rows.Where(r => r.Skipped is null))
            {
                if (parley?.DeliveredPerSec is > 0 && row.DeliveredPerSec is { } delivered)
                {
                    row.ThroughputVsParley = Math.Round(delivered / parley.DeliveredPerSec.Value, 2);
                }

                if (parley?.ServerCpuUsPerMsg is > 0 && row.ServerCpuUsPerMsg is { } cpu)
                {
                    row.CpuVsParley = Math.Round(cpu / parley.ServerCpuUsPerMsg.Value, 2);
                }
            }

            report.GeneratorCpus = report.Rows.Select(r => r.Detail?.GeneratorCpus).FirstOrDefault(c => c is not null);
            report.Certificate = _parleyFingerprint is null
                ? "each peer's scripts' own self-signed certificate (parley did not run)"
                : $"Parley's self-signed P-256, SHA-256 {_parleyFingerprint}";
            report.Notes.Add("every target gets the same schedule (seed, rate, size, warm-up, window) from a fresh server process; clients set TCP_NODELAY and pin the server's certificate; TLS 1.3 with AES-GCM or ChaCha20 suites");
            report.Notes.Add("XMPP and MQTT QoS 0 have no delivery status: their sends complete once queued (XMPP) or written (MQTT), as Parley's do with ack=failures; with ack=all Parley's complete once the server confirms; latency is measured the same way for all (scheduled send to arrival at the recipient)");
            if (report.Rows.Any(r => r.GeneratorSaturated == true))
            {
                report.Notes.Add("a row whose generator was saturated measures the generator as much as the server: its delivered/s is a lower bound");
            }
        }

        private async Task<IBenchTarget> SpawnParleyAsync(string ack, SourceAddresses sources, CancellationToken cancellationToken)
        {
            var settings = new ParleySpawnSettings(
                options.ServerDll, options.BcryptCost, options.OutboundQueue, options.ServerCpus, options.ServerEnvironment, options.ServerArguments);
            var server = await SpawnedParleyServer.StartAsync(settings, cancellationToken);
            ProgressLog.Write($"spawned parley-server pid {server.Process.ProcessId} on {server.EndPoint}");

            // The peers serve this same certificate: copied now, since the data directory goes with the server.
            _certificate = Path.Combine(certificates, "tls-cert.pem");
            _key = Path.Combine(certificates, "tls-key.pem");
            File.Copy(Path.Combine(server.DataDirectory, "tls-cert.pem"), _certificate, overwrite: true);
            File.Copy(Path.Combine(server.DataDirectory, "tls-key.pem"), _key, overwrite: true);
            _parleyFingerprint = server.Fingerprint;
            var endpoint = new TargetEndpoint("parley", server.EndPoint.Address, server.EndPoint.Port);
            return new ParleyTarget(endpoint, server.Fingerprint, options.UserPrefix, ack, sources, null, server);
        }

        private async Task PeerAsync(PeerInfo peer, CancellationToken cancellationToken)
        {
            var nagles = peer.NagleSwitch ? options.Peers.NagleOn : [false];
            var levels = peer == PeerInfo.Mosquitto ? options.Peers.MqttQos : [0];
            foreach (var nagleOn in nagles)
            {
                foreach (var qos in levels)
                {
                    var label = peer.Name
                        + (levels.Count > 1 || qos != 0 ? $" qos{qos}" : string.Empty)
                        + (nagles.Count > 1 ? (nagleOn ? " nagle" : " nodelay") : string.Empty);
                    var row = new CompareRow { Target = label, Nagle = nagleOn ? peer.NagleOn : peer.NagleOff };
                    var scripts = PeerScript.FindDirectory(options.Peers.ScriptsDirectory);
                    if (scripts is null)
                    {
                        row.Skipped = options.Peers.ScriptsDirectory is null
                            ? "bench/peers not found above this program or the working directory (pass --peers-dir)"
                            : $"--peers-dir {options.Peers.ScriptsDirectory} has no mosquitto.sh";
                        report.Rows.Add(row);
                        continue;
                    }

                    if (!peer.IsInstalled())
                    {
                        row.Skipped = $"not installed ({peer.Executable} not found): bench/peers/{peer.Name}.sh install";
                        report.Rows.Add(row);
                        continue;
                    }

                    var script = new PeerScript(peer, scripts, options.Peers.StateDirectory, _certificate, _key, options.ServerCpus, nagleOn);
                    await MeasureAsync(row, (sources, token) => StartPeerAsync(script, row, qos, sources, token), [], cancellationToken);
                }
            }
        }

        private async Task<IBenchTarget> StartPeerAsync(PeerScript script, CompareRow row, int qos, SourceAddresses sources, CancellationToken cancellationToken)
        {
            var peer = script.Peer;
            ProgressLog.Write($"starting {peer.Name} (bench/peers/{peer.Name}.sh, PEER_STATE {script.StateDirectory}{(options.ServerCpus is null ? string.Empty : $", PEER_CPUS {options.ServerCpus}")})");
            var pid = await script.StartAsync(cancellationToken);
            var owned = new PeerRun(script);
            try
            {
                await script.AccountsAsync(options.Clients, cancellationToken);
                var served = script.ServedFingerprint();
                if (_parleyFingerprint is not null)
                {
                    row.Notes.Add(global::Parley.Protocol.Crypto.Fingerprint.AreEqual(served, _parleyFingerprint)
                        ? "serves Parley's certificate (same SHA-256)"
                        : $"serves a certificate other than Parley's ({served})");
                }

                var pin = new CertificatePin(served);
                var accounts = PeerAccounts.FromEnvironment();
                IBenchTarget target;
                if (peer == PeerInfo.Mosquitto)
                {
                    var endpoint = new TargetEndpoint(MqttTarget.Scheme, System.Net.IPAddress.Loopback, Port("MOSQUITTO_PORT", 8883));
                    target = new MqttTarget(endpoint, pin, qos, sources, accounts, pid, row.Target, owned);
                    row.Transport = $"MQTT 3.1.1 QoS {qos} over TLS 1.3 (MQTTnet client), topic u/user{{i}}";
                    row.Notes.Add(qos == 0
                        ? "QoS 0: a publish completes once written; the broker confirms nothing"
                        : "QoS 1: a publish completes on the broker's PUBACK (it has the message), not on delivery");
                }
                else
                {
                    var startTls = options.Peers.XmppStartTls;
                    var port = peer == PeerInfo.Ejabberd
                        ? startTls ? Port("EJABBERD_STARTTLS_PORT", 5222) : Port("EJABBERD_TLS_PORT", 5223)
                        : startTls ? Port("PROSODY_STARTTLS_PORT", 5322) : Port("PROSODY_TLS_PORT", 5323);
                    var endpoint = new TargetEndpoint(startTls ? XmppTarget.StartTlsScheme : XmppTarget.DirectScheme, System.Net.IPAddress.Loopback, port);
                    target = new XmppTarget(endpoint, options.Peers.XmppDomain, pin, sources, accounts, pid, row.Target, owned);
                    row.Transport = $"XMPP c2s, {(startTls ? "STARTTLS" : "direct TLS")} 1.3, SASL PLAIN, <message type='chat'> to the bare JID";
                    row.Notes.Add("XMPP: a send completes once queued for the connection's writer (no delivery receipt without XEP-0184/0198, which the peers do not load)");
                }

                ProgressLog.Write($"{peer.Name} pid {pid}, {options.Clients:N0} accounts; target {target.Description}");
                return target;
            }
            catch
            {
                await owned.DisposeAsync();
                throw;
            }
        }

        /// <summary>One row: a fresh target, its accounts, N connections, the trial (or search), then everything closed.</summary>
        private async Task MeasureAsync(
            CompareRow row, Func<SourceAddresses, CancellationToken, Task<IBenchTarget>> create, IReadOnlyList<string> notes, CancellationToken cancellationToken)
        {
            report.Rows.Add(row);
            ProgressLog.Write($"=== {row.Target}");
            try
            {
                await using var session = await BenchSession.OpenAsync(new OneTarget(create), options, fdLimit, cancellationToken);
                row.Endpoint = session.Target.Description;
                var clients = options.Clients;
                await session.PrepareAccountsAsync(0, clients, cancellationToken);
                var before = session.SampleServer();
                var fleet = await session.ConnectAsync(0, clients, cancellationToken);
                var settled = session.LastSettle.Server;
                var result = await CompareTraffic.MeasureAsync(session, fleet, before, cancellationToken);
                BenchSession.RecordConnect(result, fleet);
                Fill(row, result, before, settled);
                row.Notes.AddRange(notes);
                AddTargetNotes(row, session.Target);
            }
            catch (Exception ex) when (ex is BenchTargetException or BenchFailedException)
            {
                row.Skipped = $"failed: {ex.Message}";
                ProgressLog.Write($"{row.Target} failed: {ex.Message}");
            }
        }

        private void Fill(CompareRow row, BenchResult result, ProcessSample? before, ProcessSample? settled)
        {
            row.Detail = result;
            row.Rate = result.Rate;
            row.DeliveredPerSec = result.DeliveredPerSec;
            (row.P50Ms, row.P99Ms, row.MaxMs) = (result.P50Ms, result.P99Ms, result.MaxMs);
            row.Lost = result.Lost;
            row.SendErrors = result.SendErrors;
            row.ServerCpuUsPerMsg = result.ServerCpuUsPerMsg;
            row.ServerCpuCores = result.ServerCpuCores;
            row.ServerRssMb = result.ServerRssMb;
            if (before is not null && settled is not null)
            {
                row.IdleRssKbPerConnection = Math.Round((settled.RssKb - before.RssKb) / (double)options.Clients, 1);
            }

            row.GeneratorCpuCores = result.GeneratorCpuCores;
            row.GeneratorCpuUsPerMsg = result.GeneratorCpuUsPerMsg;
            row.GeneratorSaturated = result.GeneratorSaturated;
            row.OtherCpuCores = result.OtherCpuCores;
            row.Notes.AddRange(result.Notes);
        }

        private static void AddTargetNotes(CompareRow row, IBenchTarget target)
        {
            if (target is XmppTarget xmpp)
            {
                if (xmpp.CipherSuite is { } suite)
                {
                    row.Notes.Add($"negotiated {suite}");
                }

                if (xmpp.Counters.Bounces > 0)
                {
                    row.Notes.Add($"{xmpp.Counters.Bounces} messages bounced (type='error'), first: {xmpp.Counters.FirstBounce}");
                }
            }
        }

        private static int Port(string variable, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : fallback;
    }

    /// <summary>Hands <see cref="BenchSession"/> the one target of a compare row.</summary>
    private sealed class OneTarget(Func<SourceAddresses, CancellationToken, Task<IBenchTarget>> create) : IScenario
    {
        public ScenarioSpec Spec => throw new NotSupportedException();

        public Task<IBenchTarget> CreateTargetAsync(BenchOptions options, SourceAddresses sources, CancellationToken cancellationToken) => create(sources, cancellationToken);

        public Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
