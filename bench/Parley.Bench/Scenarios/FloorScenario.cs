using Parley.Bench.Cli;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;
using Parley.Bench.Targets.Floor;

namespace Parley.Bench.Scenarios;

/// <summary>
/// floor: the dm load against a bare TLS echo server in a child process, same certificate type, message size and
/// schedule. Its server CPU per message is what any TLS server must spend; Parley's figure above it is Parley's own.
/// </summary>
internal sealed class FloorScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "floor",
        "the transport's floor: the dm load against a plain TLS echo server (child process, same certificate type and size)",
        FlagGroups.Common | FlagGroups.Duration | FlagGroups.Traffic | FlagGroups.Search,
        o => o with { Clients = 100, Size = 256, Rate = RateSetting.Fixed(1000), DurationSeconds = 10, WarmupSeconds = 3 },
        NeedsTarget: false);

    public async Task<IBenchTarget> CreateTargetAsync(BenchOptions options, SourceAddresses sources, CancellationToken cancellationToken)
    {
        var target = await FloorTarget.SpawnAsync(options.ServerCpus, options.ServerEnvironment, sources, cancellationToken);
        Reporting.ProgressLog.Write($"spawned {target.Description}, pid {target.ServerProcessId}");
        return target;
    }

    public async Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var clients = session.Options.Clients;
        var before = session.SampleServer();
        var fleet = await session.ConnectAsync(0, clients, cancellationToken);
        var result = await Traffic.MeasureAsync(session, fleet, before, cancellationToken);
        BenchSession.RecordConnect(result, fleet);
        result.Notes.Add("floor: each message is echoed to its sender (one TLS read and one TLS write per message on the server); Parley also writes a delivery status to the sender, so it does two writes (one with --parley-ack failures)");
        return result;
    }
}
