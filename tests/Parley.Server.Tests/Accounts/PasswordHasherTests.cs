using Parley.Server.Accounts;
using BCryptNet = BCrypt.Net.BCrypt;

namespace Parley.Server.Tests.Accounts;

public sealed class PasswordHasherTests
{
    internal static readonly byte[] TestPepper = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly PasswordHasher _hasher = new(TestPepper, workFactor: 4, maxConcurrency: 2);

    [Fact]
    public async Task Verify_SamePassword_ReturnsTrue()
    {
        var hash = await _hasher.HashAsync("Correct horse 1!");

        Assert.True(await _hasher.VerifyAsync("Correct horse 1!", hash));
    }

    [Theory]
    [InlineData("correct horse 1!")]
    [InlineData("Correct horse 1")]
    [InlineData("")]
    public async Task Verify_DifferentPassword_ReturnsFalse(string attempt)
    {
        var hash = await _hasher.HashAsync("Correct horse 1!");

        Assert.False(await _hasher.VerifyAsync(attempt, hash));
    }

    [Fact]
    public async Task Hash_UsesConfiguredWorkFactorAndFreshSalt()
    {
        var first = await _hasher.HashAsync("same password");
        var second = await _hasher.HashAsync("same password");

        Assert.StartsWith("$2a$04$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("same password", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HundredCharacterPassword_ReturnsTrue()
    {
        var password = string.Concat(Enumerable.Range(0, 100).Select(i => (char)('a' + (i % 26))));
        var hash = await _hasher.HashAsync(password);

        Assert.True(await _hasher.VerifyAsync(password, hash));
    }

    [Fact]
    public async Task Verify_PasswordDifferingOnlyAfterByte72_ReturnsFalse()
    {
        var password = new string('a', 100);
        var differsLate = new string('a', 80) + new string('b', 20);

        // Control: plain bcrypt truncates at 72 bytes and would accept it.
        Assert.True(BCryptNet.Verify(differsLate, BCryptNet.HashPassword(password, 4)));

        var hash = await _hasher.HashAsync(password);
        Assert.False(await _hasher.VerifyAsync(differsLate, hash));
    }

    [Fact]
    public async Task Verify_WithOtherPepper_ReturnsFalse()
    {
        var other = new PasswordHasher(Enumerable.Repeat((byte)7, 32).ToArray(), workFactor: 4, maxConcurrency: 1);
        var hash = await _hasher.HashAsync("Correct horse 1!");

        Assert.False(await other.VerifyAsync("Correct horse 1!", hash));
    }

    [Fact]
    public async Task Verify_NullHash_ReturnsFalse()
    {
        Assert.False(await _hasher.VerifyAsync("anything", null));
    }

    [Fact]
    public async Task DummyHash_HasSameAlgorithmAndCostAsRealHashes()
    {
        var real = await _hasher.HashAsync("anything");

        Assert.Equal(real[..7], _hasher.DummyHash[..7]);
        Assert.Equal(real.Length, _hasher.DummyHash.Length);
    }

    [Fact]
    public void DummyHash_FollowsConfiguredWorkFactor()
    {
        var hasher = new PasswordHasher(TestPepper, workFactor: 12, maxConcurrency: 1);

        Assert.Equal("12", BCryptNet.InterrogateHash(hasher.DummyHash).WorkFactor);
    }

    [Fact]
    public async Task Verify_NullHash_RunsBcryptSoCancellationIsObserved()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _hasher.VerifyAsync("anything", null, cancelled.Token));
    }

    [Fact]
    public async Task BcryptWork_HoldsOneSlotWhileRunningAndReturnsIt()
    {
        var hasher = new PasswordHasher(TestPepper, workFactor: 4, maxConcurrency: 2);

        var slotsDuringWork = await hasher.RunBoundedAsync(() => hasher.AvailableSlots, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(1, slotsDuringWork);
        Assert.Equal(2, hasher.AvailableSlots);
    }

    [Fact]
    public async Task Hash_WhileAllSlotsBusy_WaitsAndHonoursCancellation()
    {
        var hasher = new PasswordHasher(TestPepper, workFactor: 4, maxConcurrency: 1);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = hasher.RunBoundedAsync(() => { entered.Set(); return release.Wait(Timeout); }, CancellationToken.None);
        Assert.True(entered.Wait(Timeout));

        using var cts = new CancellationTokenSource();
        var waiting = hasher.HashAsync("anything", cts.Token);
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));

        release.Set();
        Assert.True(await holder.WaitAsync(Timeout));
        Assert.Equal(1, hasher.AvailableSlots);
        var hash = await hasher.HashAsync("x").WaitAsync(Timeout);
        Assert.True(await hasher.VerifyAsync("x", hash), "a cancelled wait must not leak its slot");
    }

    [Fact]
    public async Task RunBounded_CancelledWhileItsWorkRuns_KeepsTheSlotUntilTheWorkEnds()
    {
        var hasher = new PasswordHasher(TestPepper, workFactor: 4, maxConcurrency: 1);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var running = hasher.RunBoundedAsync(() => { entered.Set(); return release.Wait(Timeout); }, cts.Token);
        Assert.True(entered.Wait(Timeout));

        await cts.CancelAsync();

        Assert.Equal(0, hasher.AvailableSlots); // the work still runs, so it still counts against the bound
        release.Set();
        Assert.True(await running.WaitAsync(Timeout));
        Assert.Equal(1, hasher.AvailableSlots);
    }

    [Fact]
    public async Task Hash_UnpairedSurrogate_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _hasher.HashAsync("abc\uD800"));
    }

    [Fact]
    public async Task Verify_UnpairedSurrogate_ReturnsFalse()
    {
        var hash = await _hasher.HashAsync("abc\uFFFD");

        Assert.False(await _hasher.VerifyAsync("abc\uD800", hash));
    }

    [Fact]
    public async Task Hash_ManyConcurrentCalls_AllComplete()
    {
        var hashes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _hasher.HashAsync($"password {i}")))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(8, hashes.Distinct().Count());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    public void Constructor_WorkFactorOutOfRange_Throws(int workFactor)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(TestPepper, workFactor, maxConcurrency: 1));
    }

    [Fact]
    public void Constructor_ZeroConcurrency_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(TestPepper, 4, maxConcurrency: 0));
    }

    [Fact]
    public void Constructor_ShortPepper_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PasswordHasher(new byte[16], 4, maxConcurrency: 1));
    }
}
