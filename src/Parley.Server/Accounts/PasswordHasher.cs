using System.Security.Cryptography;
using System.Text;
using Parley.Server.Hosting;
using BCryptNet = BCrypt.Net.BCrypt;

namespace Parley.Server.Accounts;

/// <summary>
/// bcrypt over HMAC-SHA-256(pepper, password). The HMAC's base64 is 44 bytes, under bcrypt's 72-byte limit, so long
/// passwords are never silently truncated; the pepper keeps a stolen database useless without the pepper file.
/// bcrypt runs with bounded concurrency on its own low-priority threads, so a burst of logins cannot starve the I/O
/// threads or message routing.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    public const int MinWorkFactor = 4;
    public const int MaxWorkFactor = 31;

    // Salt and checksum of a real bcrypt hash; prefixed with our cost it verifies at full cost and never matches.
    private const string DummySaltAndChecksum = "tCG9Om7Pa6yr53A0meGqcOo8LJ231cRRiLY8DEew88CfgQ1RsT8Z6";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _pepper;
    private readonly int _workFactor;
    private readonly SemaphoreSlim _gate;
    private readonly LowPriorityThreads _threads;

    public PasswordHasher(byte[] pepper, int workFactor, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(pepper);
        if (pepper.Length < PepperFile.Length)
        {
            throw new ArgumentException($"The pepper must be at least {PepperFile.Length} bytes.", nameof(pepper));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(workFactor, MinWorkFactor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workFactor, MaxWorkFactor);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);

        _pepper = (byte[])pepper.Clone();
        _workFactor = workFactor;
        _gate = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _threads = new LowPriorityThreads("parley-bcrypt", maxConcurrency);
        DummyHash = $"$2a${workFactor:D2}${DummySaltAndChecksum}";
    }

    /// <summary>Verified against when the user is unknown, at the same cost as real hashes.</summary>
    internal string DummyHash { get; }

    internal int AvailableSlots => _gate.CurrentCount;

    public Task<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryPrehash(password, out var prehash))
        {
            throw new ArgumentException("The password is not valid UTF-16 (it has an unpaired surrogate).", nameof(password));
        }

        return RunBoundedAsync(() => BCryptNet.HashPassword(prehash, _workFactor), cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="hash"/>. A null hash (unknown user) still costs one
    /// full verification, so the time taken does not tell whether the user exists.
    /// </summary>
    public async Task<bool> VerifyAsync(string password, string? hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        var usable = TryPrehash(password, out var prehash) && hash is not null;
        var matched = await RunBoundedAsync(() => BCryptNet.Verify(prehash, hash ?? DummyHash), cancellationToken).ConfigureAwait(false);
        return usable && matched;
    }

    private bool TryPrehash(string password, out string prehash)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(password);
        }
        catch (EncoderFallbackException)
        {
            // Still hand bcrypt something of the usual shape so the caller pays the usual cost.
            prehash = Convert.ToBase64String(new byte[32]);
            return false;
        }

        prehash = Convert.ToBase64String(HMACSHA256.HashData(_pepper, bytes));
        CryptographicOperations.ZeroMemory(bytes);
        return true;
    }

    public void Dispose()
    {
        _threads.Dispose();
        _gate.Dispose();
    }

    // Internal so tests can hold a slot and watch the next caller wait.
    internal async Task<T> RunBoundedAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            // No token here: the slot must stay taken until bcrypt has really finished, or cancelled callers
            // would let more than the bound run at once.
            return await _threads.RunAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
