using Parley.Server.Accounts;

namespace Parley.Server.Tests.Accounts;

public sealed class HashingThreadsTests
{
    [Fact]
    public async Task RunAsync_ReturnsTheResult_AndPassesExceptionsBack()
    {
        using var threads = new HashingThreads(2);

        Assert.Equal(42, await threads.RunAsync(() => 42));
        await Assert.ThrowsAsync<InvalidOperationException>(() => threads.RunAsync<int>(() => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task Work_RunsOnThreadsBelowNormalPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // nice values are a Linux notion, read from /proc
        }

        using var threads = new HashingThreads(1);

        var (name, nice) = await threads.RunAsync(() =>
        {
            // Field 19 of /proc/thread-self/stat is the thread's nice value; the name is in parentheses before it.
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (Thread.CurrentThread.Name, int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture));
        });

        Assert.StartsWith("parley-bcrypt-", name, StringComparison.Ordinal);
        Assert.Equal(10, nice);
    }
}
