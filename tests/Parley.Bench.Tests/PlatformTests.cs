using System.Buffers;
using System.Net;
using Parley.Bench.Metrics;
using Parley.Bench.Platform;
using Parley.Bench.Targets;
using Parley.Bench.Targets.Floor;

namespace Parley.Bench.Tests;

public sealed class PlatformTests
{
    [Fact]
    public void TryParseStatTimes_CountsFieldsFromTheLastParenthesis()
    {
        // The command name may contain spaces and ')'; utime=1234, stime=567 are fields 14 and 15.
        const string Stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 16 0 99 1000 200";

        Assert.True(ProcessSampler.TryParseStatTimes(Stat, out var utime, out var stime));
        Assert.Equal((1234L, 567L), (utime, stime));
        Assert.False(ProcessSampler.TryParseStatTimes("garbage", out _, out _));
    }

    [Fact]
    public void StatusValue_ReadsKilobytesAndCounts()
    {
        const string Status = "Name:\tdotnet\nVmPeak:\t  200 kB\nVmRSS:\t   98765 kB\nThreads:\t17\n";

        Assert.Equal(98765, ProcessSampler.StatusValue(Status, "VmRSS:"));
        Assert.Equal(17, ProcessSampler.StatusValue(Status, "Threads:"));
        Assert.Null(ProcessSampler.StatusValue(Status, "VmSwap:"));
    }

    [Fact]
    public void TrySample_ThisProcess_SeesCpuMemoryAndFiles()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var sample = ProcessSampler.TrySample(Environment.ProcessId);

        Assert.NotNull(sample);
        Assert.True(sample.RssKb > 1000);
        Assert.True(sample.FileDescriptors > 2);
        Assert.True(sample.Threads > 1);
        Assert.True(sample.CpuSeconds > 0);
    }

    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData("1", new[] { 1 })]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("0,2-3,2", new[] { 0, 2, 3 })]
    public void ParseList_ReadsTasksetLists(string list, int[] expected) => Assert.Equal(expected, CpuPinning.ParseList(list));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("3-1")]
    public void ParseList_Garbage_Throws(string list) => Assert.ThrowsAny<FormatException>(() => CpuPinning.ParseList(list));

    [Fact]
    public void SourceAddresses_SpreadOverLoopbackAddresses()
    {
        var sources = new SourceAddresses(perAddress: 5000);

        Assert.Equal(IPAddress.Parse("127.0.0.1"), sources.For(0));
        Assert.Equal(IPAddress.Parse("127.0.0.1"), sources.For(4999));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), sources.For(5000));
        Assert.Equal(IPAddress.Parse("127.0.1.0"), sources.For(255 * 5000));
        Assert.Equal(2, sources.AddressesFor(10_000));
        Assert.Equal(3, sources.AddressesFor(10_001));
        Assert.True(IPAddress.IsLoopback(sources.For(int.MaxValue)));
    }

    [Theory]
    [InlineData("parley://127.0.0.1:5001", "127.0.0.1", 5001)]
    [InlineData("parley://localhost:7000", "127.0.0.1", 7000)]
    [InlineData("parley://127.0.0.9:1", "127.0.0.9", 1)]
    [InlineData("parley://[::1]:5001", "::1", 5001)]
    public void TargetEndpoint_AcceptsLoopback(string text, string address, int port)
    {
        Assert.True(TargetEndpoint.TryParse(text, out var endpoint, out _));
        Assert.Equal(IPAddress.Parse(address), endpoint!.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void FloorAnnouncement_Parses_AndRefusesOtherLines()
    {
        var parsed = FloorTarget.ParseAnnouncement("floor-server listening 127.0.0.1:4321 fingerprint AA:BB");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4321), parsed!.Value.EndPoint);
        Assert.Equal("AA:BB", parsed.Value.Fingerprint);
        Assert.Null(FloorTarget.ParseAnnouncement("Unhandled exception"));
        Assert.Null(FloorTarget.ParseAnnouncement("floor-server listening 10.0.0.1:4321 fingerprint AA:BB"));
    }

    [Fact]
    public void FloorFrames_SplitAcrossSegments_AreTakenWhole()
    {
        var first = new byte[] { 0, 0, 0, 3, (byte)'a' };
        var second = new byte[] { (byte)'b', (byte)'c', 0, 0 };
        var buffer = Segments.Of(first, second);

        Assert.True(FloorEchoServer.TryTakeFrame(ref buffer, out var frame));
        Assert.Equal(new byte[] { 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c' }, frame.ToArray());
        Assert.False(FloorEchoServer.TryTakeFrame(ref buffer, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void FloorFrames_BadLength_Throws()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 1 });
        Assert.Throws<InvalidDataException>(() => FloorEchoServer.TryTakeFrame(ref buffer, out _));
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(byte[] first, byte[] second)
        {
            var a = new Segments(first, 0);
            var b = new Segments(second, first.Length);
            a.Next = b;
            return new ReadOnlySequence<byte>(a, 0, b, second.Length);
        }
    }
}

public sealed class MachineSampleTests
{
    [Fact]
    public void Parse_BusyIsAllButIdleAndIowait_StealKept()
    {
        // user nice system idle iowait irq softirq steal, in clock ticks (100 per second).
        var sample = Metrics.MachineSample.Parse("cpu  1000 0 200 5000 300 10 40 50 0 0", 0);

        Assert.NotNull(sample);
        Assert.Equal(13.0, sample.BusySeconds, 6);
        Assert.Equal(0.5, sample.StealSeconds, 6);
        Assert.Null(Metrics.MachineSample.Parse("cpu0 1 2 3", 0));
    }
}

public sealed class FloorEnvironmentTests
{
    [Fact]
    public void WithServerDefaults_GivesTheFloorParleyServersRuntime_AndServerEnvWins()
    {
        var defaults = FloorTarget.WithServerDefaults(new Dictionary<string, string>());
        var overridden = FloorTarget.WithServerDefaults(new Dictionary<string, string> { ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "70" });

        Assert.Equal("0", defaults["DOTNET_gcServer"]);
        Assert.Equal("0", defaults["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]);
        Assert.Equal("70", overridden["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]);
    }
}
