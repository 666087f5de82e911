namespace Parley.Server.Storage;

public enum CreateUserResult
{
    Created,

    /// <summary>Another account already has this username, in any case.</summary>
    UsernameTaken,
}
