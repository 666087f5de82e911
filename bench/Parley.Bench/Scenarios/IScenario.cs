using Parley.Bench.Cli;
using Parley.Bench.Reporting;
using Parley.Bench.Targets;

namespace Parley.Bench.Scenarios;

/// <summary>
/// One workload. A scenario says which flags it takes (<see cref="Spec"/>) and drives a target through a
/// <see cref="BenchSession"/>; it never knows which protocol the target speaks. Adding one (fanout, file) is one
/// class here and one line in <see cref="ScenarioCatalog"/>.
/// </summary>
internal interface IScenario
{
    ScenarioSpec Spec { get; }

    /// <summary>The target to drive; by default what --spawn or --target says.</summary>
    Task<IBenchTarget> CreateTargetAsync(BenchOptions options, SourceAddresses sources, CancellationToken cancellationToken) =>
        TargetFactory.CreateAsync(options, sources, cancellationToken);

    Task<BenchResult> RunAsync(BenchSession session, CancellationToken cancellationToken);
}

/// <summary>Every scenario the command line knows.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new DmScenario(),
        new LoginScenario(),
        new IdleScenario(),
        new SoakScenario(),
        new FloorScenario(),
        new Compare.CompareScenario(),
    ];

    public static IReadOnlyList<ScenarioSpec> Specs { get; } = [.. All.Select(s => s.Spec)];

    public static IScenario Find(ScenarioSpec spec) => All.First(s => s.Spec == spec);
}

/// <summary>A scenario could not run; the run exits 1 with this one-line reason.</summary>
internal sealed class BenchFailedException : Exception
{
    public BenchFailedException(string message)
        : base(message)
    {
    }

    public BenchFailedException()
    {
    }

    public BenchFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
