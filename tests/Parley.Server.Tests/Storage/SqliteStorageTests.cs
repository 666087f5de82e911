using Microsoft.Data.Sqlite;
using Parley.Server.Storage.Sqlite;

namespace Parley.Server.Tests.Storage;

public sealed class SqliteStorageTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string ConnectionString => SqliteStorage.ConnectionStringForFile(_directory.File("parley.db"));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Migrate_NewDatabase_TurnsOnWalMode()
    {
        await using var storage = new SqliteStorage(ConnectionString);

        await storage.MigrateAsync();

        Assert.Equal("wal", await ScalarAsync(storage, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task OpenConnection_SetsBusyTimeoutAndForeignKeys()
    {
        // A connection string without Foreign Keys: the storage must still turn them on.
        await using var storage = new SqliteStorage($"Data Source={_directory.File("plain.db")}");

        Assert.Equal(5000L, await ScalarAsync(storage, "PRAGMA busy_timeout;"));
        Assert.Equal(1L, await ScalarAsync(storage, "PRAGMA foreign_keys;"));
    }

    [Fact]
    public async Task Migrate_NewDatabase_RecordsEveryMigrationOnce()
    {
        await using var storage = new SqliteStorage(ConnectionString);

        await storage.MigrateAsync();
        await storage.MigrateAsync();

        Assert.Equal((long)SqliteMigrations.All.Count, await ScalarAsync(storage, "SELECT COUNT(*) FROM schema_version;"));
        Assert.Equal((long)SqliteMigrations.All[^1].Version, await ScalarAsync(storage, "SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public async Task Migrate_DatabaseNewerThanCode_ThrowsNamingBothVersions()
    {
        var latest = SqliteMigrations.All[^1].Version;
        await using (var newer = new SqliteStorage(ConnectionString))
        {
            await newer.MigrateAsync();
            await ScalarAsync(newer, $"INSERT INTO schema_version (version, applied_at) VALUES ({latest + 1}, 0);");
        }

        await using var storage = new SqliteStorage(ConnectionString);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.MigrateAsync());

        Assert.Contains($"version {latest + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({latest})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_WhenALaterMigrationFails_RollsBackEarlierOnes()
    {
        SqliteMigration[] migrations =
        [
            new(1, "good", "CREATE TABLE first_table (x INTEGER);"),
            new(2, "broken", "CREATE TABLE oops (;"),
        ];
        await using var storage = new SqliteStorage(ConnectionString, migrations);

        await Assert.ThrowsAsync<SqliteException>(() => storage.MigrateAsync());

        Assert.Equal(0L, await ScalarAsync(storage, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('first_table', 'schema_version');"));
    }

    [Fact]
    public void Migrations_AreNumberedConsecutivelyFromOne()
    {
        Assert.Equal(
            Enumerable.Range(1, SqliteMigrations.All.Count),
            SqliteMigrations.All.Select(m => m.Version));
    }

    [Fact]
    public void ConnectionStringForFile_MissingDirectory_CreatesIt()
    {
        var path = Path.Combine(_directory.Path, "a", "b", "parley.db");

        var connectionString = SqliteStorage.ConnectionStringForFile(path);

        Assert.True(Directory.Exists(Path.Combine(_directory.Path, "a", "b")));
        Assert.Equal(path, new SqliteConnectionStringBuilder(connectionString).DataSource);
    }

    [Fact]
    public async Task Users_AfterDispose_ThrowsObjectDisposed()
    {
        var storage = new SqliteStorage(ConnectionString);
        await storage.MigrateAsync();
        await storage.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.Users.FindByIdAsync(Guid.Empty));
    }

    private static async Task<object?> ScalarAsync(SqliteStorage storage, string sql)
    {
        await using var connection = await storage.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
