using Parley.Server.Storage;

namespace Parley.Server.Tests.Sessions;

internal static class TestUsers
{
    public const string HomeServer = "home.example";

    /// <summary>A user record as a store would return it; the hash is never checked above the account service.</summary>
    public static UserRecord Create(string username, string homeServer = HomeServer) =>
        new(Guid.CreateVersion7(), username, homeServer, "$2a$04$not-a-real-hash", ManualTimeProvider.DefaultStart);
}
