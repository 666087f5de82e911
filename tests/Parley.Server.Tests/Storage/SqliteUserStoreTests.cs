using Parley.Server.Storage;
using Parley.Server.Storage.Sqlite;

namespace Parley.Server.Tests.Storage;

public sealed class SqliteUserStoreTests : UserStoreContract
{
    private readonly TempDirectory _directory = new();

    protected override Task<IParleyStorage> CreateFreshStorageAsync() =>
        Task.FromResult<IParleyStorage>(new SqliteStorage(SqliteStorage.ConnectionStringForFile(_directory.File("parley.db"))));

    protected override Task CleanUpAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
