namespace Parley.Server.Storage;

/// <summary>
/// Accounts by id and by username. Usernames are unique regardless of case: stores keep a normalized key
/// (<see cref="Accounts.UsernameRules.Normalize"/>) under a unique index and return the display spelling.
/// </summary>
public interface IUserStore
{
    /// <summary>Inserts <paramref name="user"/>; a username taken in any case, even by a concurrent insert, returns <see cref="CreateUserResult.UsernameTaken"/>.</summary>
    Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken = default);

    /// <summary>Finds a user by username in any case, or returns null.</summary>
    Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default);

    /// <summary>Finds a user by id, or returns null.</summary>
    Task<UserRecord?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default);
}
