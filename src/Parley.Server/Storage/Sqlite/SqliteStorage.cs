using Microsoft.Data.Sqlite;

namespace Parley.Server.Storage.Sqlite;

/// <summary>
/// Parley's stores in one SQLite file. Each operation opens a pooled connection, so callers on many threads
/// never share one; WAL lets readers run beside the single writer, and busy_timeout makes writers queue instead of failing.
/// </summary>
public sealed class SqliteStorage : IParleyStorage
{
    private const int BusyTimeoutMilliseconds = 5_000;

    private readonly string _connectionString;
    private readonly IReadOnlyList<SqliteMigration> _migrations;
    private volatile bool _disposed;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string for a file, e.g. <c>Data Source=/var/lib/parley/parley.db</c>; see <see cref="ConnectionStringForFile"/>.</param>
    public SqliteStorage(string connectionString)
        : this(connectionString, SqliteMigrations.All)
    {
    }

    internal SqliteStorage(string connectionString, IReadOnlyList<SqliteMigration> migrations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
        _migrations = migrations;
        Users = new SqliteUserStore(this);
    }

    public IUserStore Users { get; }

    /// <summary>Builds a pooled, read-write-create connection string for <paramref name="path"/>, creating its directory.</summary>
    public static string ConnectionStringForFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        return new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
        }.ToString();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // journal_mode is stored in the file and cannot change inside a transaction.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);

            // IMMEDIATE takes the write lock first, so two servers starting together migrate one after the other.
            var transaction = connection.BeginTransaction(deferred: false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, """
                    CREATE TABLE IF NOT EXISTS schema_version (
                        version    INTEGER NOT NULL PRIMARY KEY,
                        applied_at INTEGER NOT NULL -- Unix time in milliseconds
                    ) STRICT;
                    """, cancellationToken).ConfigureAwait(false);

                var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                var latest = _migrations.Count == 0 ? 0 : _migrations[^1].Version;
                if (current > latest)
                {
                    throw new InvalidOperationException(
                        $"The database schema is at version {current}, newer than the latest this Parley server knows ({latest}). " +
                        "Run a Parley version at least as new as the one that last migrated this database.");
                }

                foreach (var migration in _migrations.Where(m => m.Version > current))
                {
                    await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
                    using var record = connection.CreateCommand();
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $appliedAt);";
                    record.Parameters.AddWithValue("$version", migration.Version);
                    record.Parameters.AddWithValue("$appliedAt", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;

            // Pooled connections keep the file (and its -wal) open; release them so the file can be moved or deleted.
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }

    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Per-connection settings: set on every open because the caller's connection string may not.
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON;", cancellationToken)
                .ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<long> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
