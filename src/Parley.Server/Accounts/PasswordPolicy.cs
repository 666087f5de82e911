using System.Buffers;
using System.Text;

namespace Parley.Server.Accounts;

/// <summary>Decides whether a new password is acceptable. Reasons say what is required and never echo the password.</summary>
public sealed class PasswordPolicy
{
    public const int MaxLength = 128;
    public const int ClassicMinLength = 8;
    public const int NistMinLength = 15;

    private const string ClassicRequirement =
        "Password must be at least 8 characters and contain upper case, lower case, a digit and a special character.";

    private readonly CommonPasswords _common;

    public PasswordPolicy(PasswordPolicyKind kind, CommonPasswords common)
    {
        ArgumentNullException.ThrowIfNull(common);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown password policy.");
        }

        Kind = kind;
        _common = common;
    }

    public PasswordPolicyKind Kind { get; }

    public bool TryValidate(string password, string username, out string reason)
    {
        reason = Check(password, username) ?? string.Empty;
        return reason.Length == 0;
    }

    private string? Check(string? password, string? username)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "Password is required.";
        }

        // NIST counts each Unicode code point as one character, so an emoji is one, not two UTF-16 units.
        if (!TryCountCodePoints(password, out var length))
        {
            return "Password contains invalid characters (an unpaired UTF-16 surrogate).";
        }

        var shape = Kind == PasswordPolicyKind.Classic ? CheckClassic(password, length) : CheckNist(length);
        if (shape is not null)
        {
            return shape;
        }

        if (length > MaxLength)
        {
            return $"Password must be at most {MaxLength} characters.";
        }

        if (!string.IsNullOrEmpty(username) && string.Equals(password, username, StringComparison.OrdinalIgnoreCase))
        {
            return "Password must not be the same as the username.";
        }

        if (_common.Contains(password))
        {
            return "Password is one of the most commonly used passwords; choose one that is harder to guess.";
        }

        return null;
    }

    private static string? CheckClassic(string password, int length)
    {
        if (length < ClassicMinLength)
        {
            return $"{ClassicRequirement} It is too short.";
        }

        bool upper = false, lower = false, digit = false, special = false;
        foreach (var c in password)
        {
            if (char.IsUpper(c))
            {
                upper = true;
            }
            else if (char.IsLower(c))
            {
                lower = true;
            }
            else if (char.IsDigit(c))
            {
                digit = true;
            }
            else if (!char.IsLetterOrDigit(c))
            {
                special = true;
            }
        }

        List<string> missing = [];
        if (!upper)
        {
            missing.Add("an upper-case letter");
        }

        if (!lower)
        {
            missing.Add("a lower-case letter");
        }

        if (!digit)
        {
            missing.Add("a digit");
        }

        if (!special)
        {
            missing.Add("a special character");
        }

        return missing.Count switch
        {
            0 => null,
            1 => $"{ClassicRequirement} It is missing {missing[0]}.",
            _ => $"{ClassicRequirement} It is missing {string.Join(", ", missing[..^1])} and {missing[^1]}.",
        };
    }

    private static string? CheckNist(int length) =>
        length < NistMinLength
            ? $"Password must be at least {NistMinLength} characters; a passphrase of several words is easiest to remember."
            : null;

    private static bool TryCountCodePoints(string text, out int count)
    {
        count = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done)
            {
                return false;
            }

            rest = rest[used..];
            count++;
        }

        return true;
    }
}
