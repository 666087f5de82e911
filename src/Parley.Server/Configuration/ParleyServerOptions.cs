using Parley.Protocol;
using Parley.Server.Accounts;

namespace Parley.Server.Configuration;

/// <summary>
/// Every server setting, bound from appsettings.json, <c>PARLEY_*</c> environment variables and command-line flags
/// (in that order, later wins). The defaults here are the documented defaults; <see cref="ServerFlags"/> maps flags.
/// </summary>
public sealed class ParleyServerOptions
{
    public string Bind { get; set; } = "0.0.0.0";
    public int Port { get; set; } = 5001;

    /// <summary>Where the database, keys, certificate and logs live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>SQLite file path or connection string; empty means <c>DATA/parley.db</c>.</summary>
    public string? Database { get; set; }

    /// <summary>PEM or PFX certificate; empty means a self-signed one made on first start.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key for a PEM certificate that does not contain its key.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Password of a PFX file or an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Stable id of this server, which every local user carries as its home; empty means generated once and kept.</summary>
    public string? ServerId { get; set; }

    public string ServerName { get; set; } = Environment.MachineName;

    public int BcryptCost { get; set; } = 12;
    public PasswordPolicyKind PasswordPolicy { get; set; } = PasswordPolicyKind.Classic;

    /// <summary>bcrypt computations allowed at once; the rest wait, so hashing never starves message routing.</summary>
    public int MaxConcurrentHashes { get; set; } = Math.Max(1, Environment.ProcessorCount);

    public int MaxFrameBytes { get; set; } = ProtocolConstants.DefaultMaxFrameBytes;
    public int MaxTextBytes { get; set; } = ProtocolConstants.DefaultMaxTextBytes;

    /// <summary>Frames queued for one connection before its reader counts as too slow and is disconnected.</summary>
    public int OutboundQueueLength { get; set; } = 1024;

    public int HandshakeTimeoutSeconds { get; set; } = 10;
    public int LoginTimeoutSeconds { get; set; } = 30;
    public int MaxLoginAttempts { get; set; } = 5;

    /// <summary>How long a presence event may wait for others bound for the same session, so login storms cost fewer writes.</summary>
    public int PresenceDelayMilliseconds { get; set; } = 25;

    public string VirtualIpFirst { get; set; } = "10.8.0.2";
    public string VirtualIpLast { get; set; } = "10.8.255.254";

    public string LogLevel { get; set; } = "Information";

    public TimeSpan HandshakeTimeout => TimeSpan.FromSeconds(HandshakeTimeoutSeconds);
    public TimeSpan LoginTimeout => TimeSpan.FromSeconds(LoginTimeoutSeconds);
    public TimeSpan PresenceDelay => TimeSpan.FromMilliseconds(PresenceDelayMilliseconds);
    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}
