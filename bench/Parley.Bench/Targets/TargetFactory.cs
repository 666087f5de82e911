using Parley.Bench.Cli;
using Parley.Bench.Reporting;
using Parley.Bench.Targets.Parley;
using Parley.Client;

namespace Parley.Bench.Targets;

/// <summary>
/// Turns <c>--spawn</c> or <c>--target SCHEME://HOST:PORT</c> into a target. A new protocol (xmpp://, mqtt://) is one
/// more case here and one more <see cref="IBenchTarget"/>; no scenario changes.
/// </summary>
internal static class TargetFactory
{
    public static IReadOnlyList<string> Schemes { get; } = ["parley", .. PeerTargets.Schemes];

    public static async Task<IBenchTarget> CreateAsync(BenchOptions options, SourceAddresses sources, CancellationToken cancellationToken)
    {
        if (options.ParleyAck.Count != 1)
        {
            throw new UsageException("--parley-ack takes one mode outside compare (a list is for compare)");
        }

        var ack = options.ParleyAck[0];
        if (options.Spawn)
        {
            var settings = new ParleySpawnSettings(
                options.ServerDll, options.BcryptCost, options.OutboundQueue, options.ServerCpus, options.ServerEnvironment, options.ServerArguments);
            var server = await SpawnedParleyServer.StartAsync(settings, cancellationToken);
            ProgressLog.Write($"spawned parley-server pid {server.Process.ProcessId} on {server.EndPoint}{(options.ServerCpus is null ? string.Empty : $" (cpus {options.ServerCpus})")}");
            var endpoint = new TargetEndpoint("parley", server.EndPoint.Address, server.EndPoint.Port);
            return new ParleyTarget(endpoint, server.Fingerprint, options.UserPrefix, ack, sources, null, server);
        }

        var target = options.Target ?? throw new UsageException("no target: --spawn or --target");
        return target.Scheme switch
        {
            "parley" => new ParleyTarget(
                target, options.Fingerprint ?? await FirstUseFingerprintAsync(target, cancellationToken), options.UserPrefix, ack, sources, options.ServerPid, null),
            _ when PeerTargets.Handles(target.Scheme) => PeerTargets.Create(options, target, sources),
            _ => throw new UsageException($"no adapter for {target.Scheme}:// yet (known: {string.Join(", ", Schemes)})"),
        };
    }

    /// <summary>Without --fingerprint: trust on first use, as `parley --trust-new` does, then pin what was seen.</summary>
    private static async Task<string> FirstUseFingerprintAsync(TargetEndpoint endpoint, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"parley-bench-known-{Environment.ProcessId}");
        try
        {
            var trust = new ServerTrust { TrustNew = true, KnownServers = new KnownServersFile(file) };
            await using var probe = await ParleyConnection.ConnectAsync(
                ParleyClientOptions.Default with { Host = endpoint.Host, Port = endpoint.Port, Trust = trust }, cancellationToken);
            ProgressLog.Write($"trusting {endpoint} on first use: certificate {probe.CertificateFingerprint}");
            return probe.CertificateFingerprint;
        }
        catch (ParleyConnectionException ex)
        {
            throw new BenchTargetException($"cannot reach {endpoint}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
