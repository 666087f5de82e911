using Parley.Server.Hosting;

namespace Parley.Server.Tests.Hosting;

public sealed class LowPriorityThreadsTests
{
    private const int SchedIdle = 5;

    [Fact]
    public async Task RunAsync_ReturnsTheResult_AndPassesExceptionsBack()
    {
        using var threads = new LowPriorityThreads("test", 2);

        Assert.Equal(42, await threads.RunAsync(() => 42));
        await Assert.ThrowsAsync<InvalidOperationException>(() => threads.RunAsync<int>(() => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task Work_RunsOnNamedThreadsUnderTheIdleSchedulingPolicy()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // scheduling policies are a Linux notion, read from /proc
        }

        using var threads = new LowPriorityThreads("parley-test", 1);

        var (name, policy) = await threads.RunAsync(() =>
        {
            // Field 41 of /proc/thread-self/stat is the scheduling policy; the name is in parentheses before field 3.
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (Thread.CurrentThread.Name, int.Parse(fields[38], System.Globalization.CultureInfo.InvariantCulture));
        });

        Assert.Equal("parley-test-0", name);
        Assert.Equal(SchedIdle, policy);
    }

    [Fact]
    public async Task RunAsync_WhenCancelledWhileQueued_StopsWaitingAndNeverRunsTheWork()
    {
        using var threads = new LowPriorityThreads("test", 1);
        using var release = new ManualResetEventSlim();
        var busy = threads.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10)));
        using var cancel = new CancellationTokenSource();
        var ran = false;

        var queued = threads.RunAsync(() => ran = true, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        release.Set();
        Assert.True(await busy);
        Assert.Equal(7, await threads.RunAsync(() => 7)); // the queue moved past the dropped item
        Assert.False(ran);
    }
}
