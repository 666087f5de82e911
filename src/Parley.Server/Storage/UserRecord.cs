namespace Parley.Server.Storage;

/// <summary>A registered account as stored.</summary>
/// <param name="Id">Stable user id (a version 7 GUID).</param>
/// <param name="Username">The display spelling chosen at registration; uniqueness ignores case.</param>
/// <param name="HomeServerId">The server that owns the account.</param>
/// <param name="PasswordHash">A bcrypt hash of the peppered password, never the password.</param>
/// <param name="CreatedAt">When the account was created; stores keep millisecond precision.</param>
public sealed record UserRecord(Guid Id, string Username, string HomeServerId, string PasswordHash, DateTimeOffset CreatedAt);
