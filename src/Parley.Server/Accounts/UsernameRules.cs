using System.Diagnostics.CodeAnalysis;

namespace Parley.Server.Accounts;

/// <summary>What a username may be: 3 to 32 characters of ASCII letters, digits, '_', '.' and '-'.</summary>
public static class UsernameRules
{
    public const int MinLength = 3;
    public const int MaxLength = 32;

    public static bool TryValidate([NotNullWhen(true)] string? username, out string reason)
    {
        if (string.IsNullOrEmpty(username))
        {
            reason = "Username is required.";
            return false;
        }

        if (username.Length is < MinLength or > MaxLength)
        {
            reason = $"Username must be {MinLength} to {MaxLength} characters long.";
            return false;
        }

        foreach (var c in username)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                reason = "Username may contain only letters A-Z, digits 0-9, '_', '.' and '-'.";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>The key that makes usernames unique regardless of case; every store indexes this.</summary>
    public static string Normalize(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        return username.ToLowerInvariant();
    }
}
