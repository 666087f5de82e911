using Parley.Bench.Cli;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios;

/// <summary>dm: N clients, each sending S-byte messages to uniformly random online peers, open loop.</summary>
internal sealed class DmScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "dm",
        "N clients send S-byte direct messages to uniformly random online peers (open loop, Poisson; --rate max searches)",
        FlagGroups.Common | FlagGroups.Target | FlagGroups.Spawn | FlagGroups.Duration | FlagGroups.Traffic | FlagGroups.Search,
        o => o with { Clients = 100, Size = 256, Rate = RateSetting.Fixed(1000), DurationSeconds = 10, WarmupSeconds = 3 },
        MinClients: 2);

    public async Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var clients = session.Options.Clients;
        await session.PrepareAccountsAsync(0, clients, cancellationToken);
        var before = session.SampleServer();
        var fleet = await session.ConnectAsync(0, clients, cancellationToken);
        var result = await Traffic.MeasureAsync(session, fleet, before, cancellationToken);
        BenchSession.RecordConnect(result, fleet);
        return result;
    }
}
