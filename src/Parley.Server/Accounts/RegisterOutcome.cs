using Parley.Server.Storage;

namespace Parley.Server.Accounts;

public enum RegisterStatus
{
    Created,
    InvalidUsername,
    WeakPassword,
    UsernameTaken,
}

/// <summary>The result of <see cref="AccountService.RegisterAsync"/>: the new user when created, otherwise a reason to show the person registering.</summary>
public sealed record RegisterOutcome(RegisterStatus Status, UserRecord? User, string? Reason);
