using Parley.Protocol.Crypto;

namespace Parley.Client;

/// <summary>
/// How a client decides to trust a server's TLS certificate. <see cref="ServerCertificateValidator"/> applies the
/// rules in this order: a <see cref="PinnedFingerprint"/> must match; else an entry in <see cref="KnownServers"/>
/// must match (a changed certificate always fails); else a chain to the system's certificate authorities with no
/// errors is accepted; else <see cref="TrustNew"/> accepts the certificate and records it; else the connection fails.
/// There is deliberately no setting that accepts any certificate.
/// </summary>
public sealed record ServerTrust
{
    /// <summary>Trust only certificates that chain to the system's certificate authorities and name the host.</summary>
    public static ServerTrust Default { get; } = new();

    /// <summary>
    /// SHA-256 fingerprint of the server's certificate (DER), in any spelling <see cref="Fingerprint.TryNormalize"/>
    /// accepts. When set, it is the only certificate accepted.
    /// </summary>
    public string? PinnedFingerprint { get; init; }

    /// <summary>Certificates trusted before (trust on first use), or null to remember none.</summary>
    public KnownServersFile? KnownServers { get; init; }

    /// <summary>
    /// Trust on first use: accept a certificate nothing else vouches for and record it in <see cref="KnownServers"/>
    /// (required). Never overrides a recorded fingerprint that no longer matches.
    /// </summary>
    public bool TrustNew { get; init; }

    /// <summary>Trust exactly the certificate with this SHA-256 fingerprint.</summary>
    public static ServerTrust Pin(string fingerprint) => new() { PinnedFingerprint = fingerprint };

    /// <summary>Throws <see cref="ArgumentException"/> for a malformed fingerprint, or trust-new without a file.</summary>
    public void Validate()
    {
        if (PinnedFingerprint is not null && !Fingerprint.TryNormalize(PinnedFingerprint, out _))
        {
            throw new ArgumentException(
                "The pinned fingerprint must be 32 bytes of hex (SHA-256), e.g. AB:CD:… as openssl prints it.", nameof(PinnedFingerprint));
        }

        if (TrustNew && KnownServers is null)
        {
            // Trust-new with nowhere to remember would trust every certificate every time.
            throw new ArgumentException($"{nameof(TrustNew)} needs a {nameof(KnownServers)} file to record the server in.", nameof(TrustNew));
        }
    }
}
