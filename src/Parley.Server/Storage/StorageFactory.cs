using Parley.Server.Configuration;
using Parley.Server.Storage.Sqlite;

namespace Parley.Server.Storage;

/// <summary>Picks the storage backend from the <c>Database</c> setting.</summary>
internal static class StorageFactory
{
    public static IParleyStorage Create(ParleyServerOptions options)
    {
        var database = options.Database?.Trim();
        if (string.IsNullOrEmpty(database))
        {
            return new SqliteStorage(SqliteStorage.ConnectionStringForFile(Path.Combine(options.FullDataDirectory, "parley.db")));
        }

        if (database.StartsWith("mysql:", StringComparison.OrdinalIgnoreCase) || database.StartsWith("Server=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("This build of Parley stores data in SQLite only; MySQL/MariaDB support is not available yet.");
        }

        return database.Contains('=', StringComparison.Ordinal)
            ? new SqliteStorage(database)
            : new SqliteStorage(SqliteStorage.ConnectionStringForFile(database));
    }
}
