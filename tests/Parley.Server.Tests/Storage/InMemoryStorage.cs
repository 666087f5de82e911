using System.Collections.Concurrent;
using Parley.Server.Accounts;
using Parley.Server.Storage;

namespace Parley.Server.Tests.Storage;

/// <summary>
/// A test double for services above storage, held to the same contract as real stores.
/// It ignores cancellation on purpose, so a test can see whether a service reached its next (cancellable) step.
/// </summary>
internal sealed class InMemoryStorage : IParleyStorage
{
    public InMemoryUserStore InMemoryUsers { get; } = new();

    public IUserStore Users => InMemoryUsers;

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class InMemoryUserStore : IUserStore
{
    private readonly ConcurrentDictionary<string, UserRecord> _byKey = new(StringComparer.Ordinal);

    public int Count => _byKey.Count;

    public Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        if (_byKey.Values.Any(u => u.Id == user.Id))
        {
            throw new InvalidOperationException("Duplicate user id.");
        }

        // Stores keep whole milliseconds.
        var stored = user with { CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(user.CreatedAt.ToUnixTimeMilliseconds()) };
        var created = _byKey.TryAdd(UsernameRules.Normalize(user.Username), stored);
        return Task.FromResult(created ? CreateUserResult.Created : CreateUserResult.UsernameTaken);
    }

    public Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byKey.GetValueOrDefault(UsernameRules.Normalize(username)));

    public Task<UserRecord?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byKey.Values.FirstOrDefault(u => u.Id == id));
}

public sealed class InMemoryUserStoreTests : UserStoreContract
{
    protected override Task<IParleyStorage> CreateFreshStorageAsync() => Task.FromResult<IParleyStorage>(new InMemoryStorage());
}
