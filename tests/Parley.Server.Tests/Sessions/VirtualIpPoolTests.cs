using System.Net;
using Parley.Server.Sessions;

namespace Parley.Server.Tests.Sessions;

public sealed class VirtualIpPoolTests
{
    private static VirtualIpPool Pool(string first, string last) => new(IPAddress.Parse(first), IPAddress.Parse(last));

    private static IPAddress Acquire(VirtualIpPool pool)
    {
        Assert.True(pool.TryAcquire(out var address));
        return address;
    }

    [Fact]
    public void DefaultRange_HasCapacity65533()
    {
        var pool = Pool("10.8.0.2", "10.8.255.254");

        Assert.Equal(65_533, pool.Capacity);
        Assert.Equal(0, pool.InUse);
    }

    [Fact]
    public void TryAcquire_HandsOutLowestFirstAcrossOctetBoundaries()
    {
        var pool = Pool("10.8.0.254", "10.8.1.2");

        Assert.Equal(
            ["10.8.0.254", "10.8.0.255", "10.8.1.0", "10.8.1.1", "10.8.1.2"],
            Enumerable.Range(0, 5).Select(_ => Acquire(pool).ToString()));
        Assert.Equal(5, pool.InUse);
    }

    [Fact]
    public void TryAcquire_AfterRelease_ReusesLowestFreedAddress()
    {
        var pool = Pool("10.8.0.2", "10.8.255.254");
        var addresses = Enumerable.Range(0, 200).Select(_ => Acquire(pool)).ToArray();

        pool.Release(addresses[150]);
        pool.Release(addresses[3]);

        Assert.Equal(IPAddress.Parse("10.8.0.5"), Acquire(pool));
        Assert.Equal(IPAddress.Parse("10.8.0.152"), Acquire(pool));
        Assert.Equal(IPAddress.Parse("10.8.0.202"), Acquire(pool));
        Assert.Equal(201, pool.InUse);
    }

    [Fact]
    public void TryAcquire_WhenExhausted_ReturnsFalseUntilARelease()
    {
        var pool = Pool("192.0.2.1", "192.0.2.3");
        var held = Enumerable.Range(0, 3).Select(_ => Acquire(pool)).ToArray();

        Assert.False(pool.TryAcquire(out var none));
        Assert.Null(none);

        pool.Release(held[1]);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), Acquire(pool));
        Assert.False(pool.TryAcquire(out _));
    }

    [Fact]
    public void TryAcquire_FullDefaultRange_GivesEveryAddressOnceThenFalse()
    {
        var pool = Pool("10.8.0.2", "10.8.255.254");
        var seen = new HashSet<IPAddress>();
        while (pool.TryAcquire(out var address))
        {
            Assert.True(seen.Add(address));
        }

        Assert.Equal(65_533, seen.Count);
        Assert.Equal(pool.Capacity, pool.InUse);
        Assert.Contains(IPAddress.Parse("10.8.255.254"), seen);
        Assert.DoesNotContain(IPAddress.Parse("10.8.255.255"), seen);
    }

    [Fact]
    public void SingleAddressPool_Works()
    {
        var pool = Pool("10.8.0.2", "10.8.0.2");

        Assert.Equal(1, pool.Capacity);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), Acquire(pool));
        Assert.False(pool.TryAcquire(out _));
    }

    [Fact]
    public void Release_Twice_Throws()
    {
        var pool = Pool("10.8.0.2", "10.8.0.10");
        var address = Acquire(pool);
        pool.Release(address);

        var error = Assert.Throws<InvalidOperationException>(() => pool.Release(address));
        Assert.Contains("not in use", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.InUse);
    }

    [Fact]
    public void Release_AddressNeverAcquired_Throws()
    {
        var pool = Pool("10.8.0.2", "10.8.0.10");
        Acquire(pool);

        Assert.Throws<InvalidOperationException>(() => pool.Release(IPAddress.Parse("10.8.0.7")));
        Assert.Equal(1, pool.InUse);
    }

    [Theory]
    [InlineData("10.8.0.1")]
    [InlineData("10.8.0.11")]
    [InlineData("::1")]
    public void Release_AddressOutsidePool_Throws(string address)
    {
        var pool = Pool("10.8.0.2", "10.8.0.10");

        var error = Assert.Throws<InvalidOperationException>(() => pool.Release(IPAddress.Parse(address)));
        Assert.Contains("outside", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.8.0.10", "10.8.0.2", "reversed")]
    [InlineData("::1", "::2", "IPv4")]
    [InlineData("10.8.0.2", "::ffff:10.8.0.9", "IPv4")]
    [InlineData("10.0.0.0", "11.0.0.0", "more than")]
    public void Constructor_BadRange_ThrowsArgumentExceptionSayingWhy(string first, string last, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Pool(first, last));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LargestAllowedRange_HasMaxCapacity()
    {
        Assert.Equal(VirtualIpPool.MaxCapacity, Pool("10.0.0.0", "10.255.255.255").Capacity);
    }

    [Fact]
    public async Task TryAcquire_ManyInParallel_GivesDistinctAddresses()
    {
        var pool = Pool("10.8.0.2", "10.8.255.254");
        const int Workers = 16;
        const int PerWorker = 500;

        var batches = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() =>
            Enumerable.Range(0, PerWorker).Select(_ => Acquire(pool)).ToArray()))).WaitAsync(TimeSpan.FromSeconds(30));

        // Distinct, and with no releases, exactly the lowest Workers * PerWorker addresses.
        var expected = Enumerable.Range(2, Workers * PerWorker).Select(i => new IPAddress([10, 8, (byte)(i >> 8), (byte)i]));
        Assert.Equal(expected.ToHashSet(), batches.SelectMany(b => b).ToHashSet());
        Assert.Equal(Workers * PerWorker, batches.Sum(b => b.Length));
        Assert.Equal(Workers * PerWorker, pool.InUse);
    }

    [Fact]
    public async Task AcquireAndRelease_InParallel_LeaveNothingInUse()
    {
        var pool = Pool("10.8.0.2", "10.8.0.65");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                var address = Acquire(pool);
                pool.Release(address);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, pool.InUse);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), Acquire(pool));
    }
}
