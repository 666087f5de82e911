using System.Collections.Frozen;

namespace Parley.Server.Accounts;

/// <summary>Passwords too common to allow (NIST SP 800-63B §3.1.1.2: refuse values from breach and dictionary lists).</summary>
public sealed class CommonPasswords
{
    private const string ResourceName = "Parley.Server.Accounts.common-passwords.txt";

    private static readonly Lazy<CommonPasswords> Embedded = new(LoadEmbeddedCore);

    private readonly FrozenSet<string> _passwords;

    public CommonPasswords(IEnumerable<string> passwords)
    {
        ArgumentNullException.ThrowIfNull(passwords);
        _passwords = passwords.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public int Count => _passwords.Count;

    public bool Contains(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return _passwords.Contains(password);
    }

    /// <summary>The list shipped in this assembly; loaded once, shared because it never changes.</summary>
    public static CommonPasswords LoadEmbedded() => Embedded.Value;

    /// <summary>One password per line; blank lines and lines starting with '#' are skipped.</summary>
    internal static CommonPasswords Parse(TextReader reader)
    {
        var passwords = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                passwords.Add(line);
            }
        }

        return new CommonPasswords(passwords);
    }

    private static CommonPasswords LoadEmbeddedCore()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
