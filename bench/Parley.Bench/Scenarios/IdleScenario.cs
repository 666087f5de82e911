using Parley.Bench.Cli;
using Parley.Bench.Metrics;
using Parley.Bench.Reporting;

namespace Parley.Bench.Scenarios;

/// <summary>
/// idle: N authenticated connections held open. The server's RSS is read before the first connection and again
/// once the server has gone quiet after the last login (each login tells every online user, so N logins cost
/// N²/2 presence events), then held for --duration: (RSS then − RSS before) / N is the cost of one connection.
/// </summary>
internal sealed class IdleScenario : IScenario
{
    public ScenarioSpec Spec { get; } = new(
        "idle",
        "N authenticated connections held open: server RSS and file descriptors per connection",
        FlagGroups.Common | FlagGroups.Target | FlagGroups.Spawn | FlagGroups.Duration,
        o => o with { Clients = 1000, DurationSeconds = 5 });

    public async Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken)
    {
        var clients = session.Options.Clients;
        await session.PrepareAccountsAsync(0, clients, cancellationToken);
        var generatorBefore = GeneratorSample.Take();
        var before = session.SampleServer();
        var fleet = await session.ConnectAsync(0, clients, cancellationToken);
        var (settled, settleSeconds) = session.LastSettle;

        ProgressLog.Write($"holding {clients:N0} idle connections for {session.Options.DurationSeconds} s");
        await Task.Delay(session.Options.Duration, cancellationToken);
        var after = session.SampleServer();
        var generatorAfter = GeneratorSample.Take();

        var result = session.NewResult();
        result.RateMode = "none";
        result.DurationS = session.Options.DurationSeconds;
        result.Disconnected = fleet.Disconnected;
        BenchSession.RecordConnect(result, fleet);
        result.GeneratorRssMb = Math.Round(generatorAfter.RssKb / 1024.0, 1);
        result.GeneratorRssKbPerConnection = Math.Round((generatorAfter.RssKb - generatorBefore.RssKb) / (double)clients, 2);
        result.Idle = new IdleFigures
        {
            Connected = clients - fleet.Disconnected,
            SettleSeconds = Math.Round(settleSeconds, 1),
            ServerRssSettledMb = settled is null ? null : Math.Round(settled.RssKb / 1024.0, 1),
        };
        if (before is not null && after is not null)
        {
            result.ServerRssBeforeMb = Math.Round(before.RssKb / 1024.0, 1);
            result.ServerRssMb = Math.Round(after.RssKb / 1024.0, 1);
            result.RssKbPerConnection = Math.Round((after.RssKb - before.RssKb) / (double)clients, 2);
            result.ServerFds = after.FileDescriptors;
            result.ServerThreads = after.Threads;
            result.Idle.ServerFdsPerConnection = Math.Round((after.FileDescriptors - before.FileDescriptors) / (double)clients, 3);
            if (settled is not null)
            {
                // While held: what N idle connections cost the server when nothing is said.
                result.ServerCpuCores = Math.Round(after.CoresSince(settled), 3);
            }
        }

        if (fleet.Disconnected > 0)
        {
            result.Notes.Add($"{fleet.Disconnected} connections closed while idle: {fleet.FirstCloseReason}");
        }

        if (settleSeconds >= BenchSession.SettleLimit.TotalSeconds)
        {
            result.Notes.Add($"the server was still busy {BenchSession.SettleLimit.TotalSeconds:0} s after the last login (presence fan-out); RSS was read anyway");
        }

        return result;
    }
}
