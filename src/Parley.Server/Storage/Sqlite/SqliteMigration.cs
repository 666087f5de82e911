namespace Parley.Server.Storage.Sqlite;

/// <summary>One schema step. Versions start at 1 and go up by one; a shipped migration is never edited, only followed.</summary>
internal sealed record SqliteMigration(int Version, string Description, string Sql);

internal static class SqliteMigrations
{
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, "users", """
            CREATE TABLE users (
                id             TEXT    NOT NULL PRIMARY KEY,
                username       TEXT    NOT NULL,
                username_key   TEXT    NOT NULL,
                home_server_id TEXT    NOT NULL,
                password_hash  TEXT    NOT NULL,
                created_at     INTEGER NOT NULL -- Unix time in milliseconds
            ) STRICT;
            CREATE UNIQUE INDEX ux_users_username_key ON users (username_key);
            """),
    ];
}
