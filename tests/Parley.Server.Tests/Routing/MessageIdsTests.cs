using Parley.Server.Routing;

namespace Parley.Server.Tests.Routing;

public sealed class MessageIdsTests
{
    [Fact]
    public void Next_IsAVersion7Uuid_WithTheRfcVariant()
    {
        var id = MessageIds.Next(DateTimeOffset.UtcNow);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6);
    }

    [Fact]
    public void Next_CarriesTheTime_InItsFirst48Bits_AsGuidCreateVersion7Does()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_764_590_000_123);

        var ours = MessageIds.Next(now).ToByteArray(bigEndian: true);
        var platforms = Guid.CreateVersion7(now).ToByteArray(bigEndian: true);

        Assert.Equal(platforms[..6], ours[..6]);
    }

    [Fact]
    public void Next_NeverRepeats_AcrossManyBufferRefills_AndThreads()
    {
        var now = DateTimeOffset.UtcNow;
        const int PerThread = 50_000; // about 120 refills of each thread's buffer
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();

        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                ids.Add(MessageIds.Next(now));
            }
        });

        Assert.Equal(4 * PerThread, ids.Distinct().Count());
    }

    [Fact]
    public void Next_BeforeTheUnixEpoch_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageIds.Next(new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Next_RandomBits_AreNotConstant()
    {
        var now = DateTimeOffset.UtcNow;
        var tails = Enumerable.Range(0, 1000).Select(_ => MessageIds.Next(now).ToByteArray(bigEndian: true)[15]).Distinct().Count();

        Assert.True(tails > 200, $"only {tails} distinct last bytes in 1,000 ids");
    }
}
