using System.Text;

namespace Parley.Server.Configuration;

/// <summary>
/// The command-line flags: each maps to one <see cref="ParleyServerOptions"/> property. Parsing is strict,
/// so a mistyped flag is an error rather than a silently ignored setting.
/// </summary>
internal static class ServerFlags
{
    private sealed record Flag(string Name, string Key, string Value, string Help);

    private static readonly Flag[] All =
    [
        new("--bind", nameof(ParleyServerOptions.Bind), "ADDRESS", "address to listen on"),
        new("--port", nameof(ParleyServerOptions.Port), "N", "TCP port (0 picks a free one)"),
        new("--data", nameof(ParleyServerOptions.DataDirectory), "DIR", "data directory: database, keys, certificate, logs"),
        new("--db", nameof(ParleyServerOptions.Database), "CONNECTION", "SQLite file or connection string (default DIR/parley.db)"),
        new("--cert", nameof(ParleyServerOptions.CertificatePath), "PATH", "TLS certificate, PEM or PFX (default: self-signed, made on first start)"),
        new("--cert-key", nameof(ParleyServerOptions.CertificateKeyPath), "PATH", "PEM private key of --cert, if not in the same file"),
        new("--server-id", nameof(ParleyServerOptions.ServerId), "ID", "stable server id (default: generated once, kept in DIR/server-id)"),
        new("--server-name", nameof(ParleyServerOptions.ServerName), "NAME", "name shown to clients"),
        new("--bcrypt-cost", nameof(ParleyServerOptions.BcryptCost), "N", "bcrypt work factor, 4 to 31"),
        new("--password-policy", nameof(ParleyServerOptions.PasswordPolicy), "classic|nist", "password rules"),
        new("--max-hashes", nameof(ParleyServerOptions.MaxConcurrentHashes), "N", "bcrypt computations at once"),
        new("--max-frame-bytes", nameof(ParleyServerOptions.MaxFrameBytes), "N", "largest frame accepted"),
        new("--max-text-bytes", nameof(ParleyServerOptions.MaxTextBytes), "N", "largest message text, UTF-8 bytes"),
        new("--outbound-queue", nameof(ParleyServerOptions.OutboundQueueLength), "N", "frames queued per connection before it is too slow"),
        new("--handshake-timeout", nameof(ParleyServerOptions.HandshakeTimeoutSeconds), "S", "seconds for TLS plus key exchange"),
        new("--login-timeout", nameof(ParleyServerOptions.LoginTimeoutSeconds), "S", "seconds from connecting to a successful login"),
        new("--max-login-attempts", nameof(ParleyServerOptions.MaxLoginAttempts), "N", "failed logins per connection before it is closed"),
        new("--presence-delay", nameof(ParleyServerOptions.PresenceDelayMilliseconds), "MS", "how long a presence event may wait to share a write with others"),
        new("--vip-first", nameof(ParleyServerOptions.VirtualIpFirst), "IP", "first virtual IP handed to users"),
        new("--vip-last", nameof(ParleyServerOptions.VirtualIpLast), "IP", "last virtual IP handed to users"),
        new("--log-level", nameof(ParleyServerOptions.LogLevel), "LEVEL", "Verbose, Debug, Information, Warning or Error"),
    ];

    /// <summary>Parses <c>--flag value</c> and <c>--flag=value</c> into configuration keys.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out bool help, out string error)
    {
        values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        help = false;
        error = string.Empty;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            var flag = Array.Find(All, f => f.Name == name);
            if (flag is null)
            {
                error = $"unknown option '{name}' (see --help)";
                return false;
            }

            var value = inline ?? (i + 1 < args.Count && !IsOption(args[i + 1]) ? args[++i] : null);
            if (value is null)
            {
                error = $"option '{name}' needs a value ({flag.Value})";
                return false;
            }

            values[flag.Key] = value;
        }

        return true;
    }

    /// <summary>
    /// A separate value is never the next option, so <c>--data --help</c> is an error rather than a data directory
    /// named "--help". A value that starts with "--" can still be given as <c>--flag=--value</c>.
    /// </summary>
    private static bool IsOption(string arg) => arg.StartsWith("--", StringComparison.Ordinal) || arg == "-h";

    public static string HelpText()
    {
        var defaults = new ParleyServerOptions();
        var text = new StringBuilder();
        text.AppendLine("parley-server: a secure, federated chat server");
        text.AppendLine();
        text.AppendLine("Usage: parley-server [options]");
        text.AppendLine();
        text.AppendLine("Options (each also settable as PARLEY_<KEY> in the environment or <Key> in appsettings.json):");
        foreach (var flag in All)
        {
            var shown = typeof(ParleyServerOptions).GetProperty(flag.Key)?.GetValue(defaults)?.ToString();
            var left = $"  {flag.Name} {flag.Value}";
            text.Append(left.PadRight(34)).Append(flag.Help);
            text.AppendLine(string.IsNullOrEmpty(shown) ? string.Empty : $" [default: {shown}]");
            text.Append(' ', 34).AppendLine($"key: {flag.Key}");
        }

        text.AppendLine("  --help".PadRight(34) + "show this help");
        text.AppendLine();
        text.AppendLine("Secrets such as CertificatePassword are best set as PARLEY_CERTIFICATEPASSWORD, not on the command line.");
        return text.ToString();
    }
}
