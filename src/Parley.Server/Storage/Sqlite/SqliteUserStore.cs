using Microsoft.Data.Sqlite;
using Parley.Server.Accounts;

namespace Parley.Server.Storage.Sqlite;

internal sealed class SqliteUserStore(SqliteStorage storage) : IUserStore
{
    private const string SelectColumns = "SELECT id, username, home_server_id, password_hash, created_at FROM users";

    public async Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // DO NOTHING on the username key only: a racing insert of the same name becomes "taken",
            // while a duplicate id is a bug and still throws.
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO users (id, username, username_key, home_server_id, password_hash, created_at)
                VALUES ($id, $username, $usernameKey, $homeServerId, $passwordHash, $createdAt)
                ON CONFLICT (username_key) DO NOTHING;
                """;
            command.Parameters.AddWithValue("$id", user.Id.ToString("D"));
            command.Parameters.AddWithValue("$username", user.Username);
            command.Parameters.AddWithValue("$usernameKey", UsernameRules.Normalize(user.Username));
            command.Parameters.AddWithValue("$homeServerId", user.HomeServerId);
            command.Parameters.AddWithValue("$passwordHash", user.PasswordHash);
            command.Parameters.AddWithValue("$createdAt", user.CreatedAt.ToUnixTimeMilliseconds());
            var inserted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return inserted == 1 ? CreateUserResult.Created : CreateUserResult.UsernameTaken;
        }
    }

    public Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        return FindAsync("username_key", UsernameRules.Normalize(username), cancellationToken);
    }

    public Task<UserRecord?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default) =>
        FindAsync("id", id.ToString("D"), cancellationToken);

    private async Task<UserRecord?> FindAsync(string column, string value, CancellationToken cancellationToken)
    {
        var connection = await storage.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"{SelectColumns} WHERE {column} = $value;";
            command.Parameters.AddWithValue("$value", value);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new UserRecord(
                    Guid.Parse(reader.GetString(0)),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
            }
        }
    }
}
