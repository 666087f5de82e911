namespace Parley.IntegrationTests.Infrastructure;

/// <summary>Every wait in these tests ends: long enough for a loaded CI machine, short enough to fail fast.</summary>
public static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;
}
