namespace Parley.Server.Accounts;

public enum PasswordPolicyKind
{
    /// <summary>At least 8 characters with upper case, lower case, a digit and a special character.</summary>
    Classic,

    /// <summary>At least 15 characters and no composition rules (NIST SP 800-63B §3.1.1.2).</summary>
    Nist,
}
