using Parley.Server.Storage;

namespace Parley.Server.Accounts;

/// <summary>Registration and password login over an <see cref="IUserStore"/>.</summary>
public sealed class AccountService
{
    private const string TakenReason = "That username is already taken.";

    private readonly IUserStore _users;
    private readonly PasswordPolicy _policy;
    private readonly PasswordHasher _hasher;
    private readonly string _homeServerId;
    private readonly TimeProvider _time;

    public AccountService(IUserStore users, PasswordPolicy policy, PasswordHasher hasher, string homeServerId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentException.ThrowIfNullOrWhiteSpace(homeServerId);
        ArgumentNullException.ThrowIfNull(time);
        _users = users;
        _policy = policy;
        _hasher = hasher;
        _homeServerId = homeServerId;
        _time = time;
    }

    public async Task<RegisterOutcome> RegisterAsync(string username, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(password);

        // Cheap refusals first: bcrypt is the expensive step and is only paid for a registration that can succeed.
        if (!UsernameRules.TryValidate(username, out var reason))
        {
            return new RegisterOutcome(RegisterStatus.InvalidUsername, null, reason);
        }

        if (!_policy.TryValidate(password, username, out reason))
        {
            return new RegisterOutcome(RegisterStatus.WeakPassword, null, reason);
        }

        if (await _users.FindByUsernameAsync(username, ct).ConfigureAwait(false) is not null)
        {
            return new RegisterOutcome(RegisterStatus.UsernameTaken, null, TakenReason);
        }

        var hash = await _hasher.HashAsync(password, ct).ConfigureAwait(false);

        // Whole milliseconds: the precision every store keeps, so the returned record equals what is read back.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var user = new UserRecord(Guid.CreateVersion7(now), username, _homeServerId, hash, now);

        // The store still decides: a concurrent registration of the same name may have won since the check above.
        return await _users.CreateAsync(user, ct).ConfigureAwait(false) switch
        {
            CreateUserResult.Created => new RegisterOutcome(RegisterStatus.Created, user, null),
            _ => new RegisterOutcome(RegisterStatus.UsernameTaken, null, TakenReason),
        };
    }

    /// <summary>
    /// The user when <paramref name="password"/> is theirs; null for an unknown user or a wrong password alike.
    /// Unknown users still cost one bcrypt verification so the two cannot be told apart by timing.
    /// </summary>
    public async Task<UserRecord?> AuthenticateAsync(string username, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        var user = UsernameRules.TryValidate(username, out _)
            ? await _users.FindByUsernameAsync(username, ct).ConfigureAwait(false)
            : null;
        var verified = await _hasher.VerifyAsync(password, user?.PasswordHash, ct).ConfigureAwait(false);
        return verified ? user : null;
    }
}
