using Parley.Server.Hosting;

namespace Parley.Server.Tests.Hosting;

public sealed class LowPriorityThreadsTests
{
    [Fact]
    public async Task RunAsync_ReturnsTheResult_AndPassesExceptionsBack()
    {
        using var threads = new LowPriorityThreads("test", 2);

        Assert.Equal(42, await threads.RunAsync(() => 42));
        await Assert.ThrowsAsync<InvalidOperationException>(() => threads.RunAsync<int>(() => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task Work_RunsOnNamedThreadsAtNiceTen()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // nice values are a Linux notion, read from /proc
        }

        using var threads = new LowPriorityThreads("parley-test", 1);

        var (name, nice) = await threads.RunAsync(() =>
        {
            // Field 19 of /proc/thread-self/stat is the thread's nice value; the name is in parentheses before field 3.
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (Thread.CurrentThread.Name, int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture));
        });

        Assert.Equal("parley-test-0", name);
        Assert.Equal(10, nice);
    }

    [Fact]
    public async Task Work_RunsWithTheShortestTimeSlice_WhereTheKernelHasCustomSlices()
    {
        // Custom slices for the fair scheduler came with Linux 6.12; /proc/thread-self/sched shows the slice there.
        if (!OperatingSystem.IsLinux() || Environment.OSVersion.Version < new Version(6, 12))
        {
            return;
        }

        using var threads = new LowPriorityThreads("parley-test", 1);

        var (slice, nice) = await threads.RunAsync(() =>
        {
            var sched = File.ReadAllLines("/proc/thread-self/sched");
            var sliceLine = sched.Single(l => l.StartsWith("se.slice", StringComparison.Ordinal));
            var prioLine = sched.Single(l => l.StartsWith("prio", StringComparison.Ordinal));
            return (ulong.Parse(sliceLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(prioLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) - 120);
        });

        Assert.Equal(ShortTimeSlice.SliceNanoseconds, slice);
        Assert.Equal(10, nice);
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
