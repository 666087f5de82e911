namespace Parley.Server.Storage;

/// <summary>One database behind Parley's stores. Call <see cref="MigrateAsync"/> once at start-up before using the stores.</summary>
public interface IParleyStorage : IAsyncDisposable
{
    IUserStore Users { get; }

    /// <summary>Brings the schema up to date; a no-op when it already is. Throws when the database is newer than this code.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);
}
