using BenchmarkDotNet.Running;

namespace Parley.Microbench;

/// <summary>
/// Micro-benchmarks of the per-message hot path: framing, sealing and JSON. Run in Release:
/// <c>dotnet run -c Release --project bench/Parley.Microbench -- --filter '*'</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
