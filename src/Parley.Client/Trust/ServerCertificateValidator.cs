using System.Net.Security;
using Parley.Protocol.Crypto;

namespace Parley.Client;

/// <summary>Why a server's certificate was trusted.</summary>
public enum ServerTrustBasis
{
    /// <summary>It matched <see cref="ServerTrust.PinnedFingerprint"/>.</summary>
    PinnedFingerprint,

    /// <summary>It matched the entry for the server in <see cref="ServerTrust.KnownServers"/>.</summary>
    KnownServer,

    /// <summary>It chains to a system certificate authority and names the host.</summary>
    CertificateAuthority,

    /// <summary>Nothing vouched for it and <see cref="ServerTrust.TrustNew"/> accepted it; it should now be recorded.</summary>
    TrustedOnFirstUse,
}

/// <summary>The outcome of <see cref="ServerCertificateValidator.Evaluate"/>.</summary>
public sealed record ServerTrustDecision
{
    private ServerTrustDecision(ServerTrustBasis? basis, string? failure)
    {
        Basis = basis;
        Failure = failure;
    }

    /// <summary>Why the certificate is trusted, or null when it is not.</summary>
    public ServerTrustBasis? Basis { get; }

    /// <summary>A one-line reason for a person, when the certificate is not trusted.</summary>
    public string? Failure { get; }

    /// <summary>True when the certificate is trusted.</summary>
    public bool IsTrusted => Basis is not null;

    /// <summary>True when the caller should record the fingerprint in the known-servers file.</summary>
    public bool ShouldRecord => Basis == ServerTrustBasis.TrustedOnFirstUse;

    internal static ServerTrustDecision Trusted(ServerTrustBasis basis) => new(basis, null);

    internal static ServerTrustDecision Refused(string failure) => new(null, failure);
}

/// <summary>
/// Decides whether to trust a server certificate. Pure: it reads no file and touches no network, so every rule is
/// unit-tested; the caller looks up the known-servers entry and records a trusted-on-first-use certificate.
/// </summary>
public static class ServerCertificateValidator
{
    /// <summary>Applies the rules documented on <see cref="ServerTrust"/>, in order.</summary>
    /// <param name="trust">The client's trust settings.</param>
    /// <param name="host">The host connected to, as the user gave it.</param>
    /// <param name="port">The port connected to.</param>
    /// <param name="certificateFingerprint">SHA-256 fingerprint of the certificate's DER, or null when the server sent none.</param>
    /// <param name="policyErrors">What the platform's chain and name checks found.</param>
    /// <param name="knownFingerprints">Fingerprints recorded for <paramref name="host"/>:<paramref name="port"/> (empty when none).</param>
    public static ServerTrustDecision Evaluate(
        ServerTrust trust,
        string host,
        int port,
        string? certificateFingerprint,
        SslPolicyErrors policyErrors,
        IReadOnlyList<string> knownFingerprints)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(knownFingerprints);
        var endpoint = KnownServersFile.FormatEndpoint(host, port);
        if (certificateFingerprint is null || policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return ServerTrustDecision.Refused($"{endpoint} presented no TLS certificate.");
        }

        if (trust.PinnedFingerprint is { } pinned)
        {
            return Fingerprint.AreEqual(pinned, certificateFingerprint)
                ? ServerTrustDecision.Trusted(ServerTrustBasis.PinnedFingerprint)
                : ServerTrustDecision.Refused(
                    $"The certificate of {endpoint} does not match the pinned fingerprint: expected {Display(pinned)}, got {certificateFingerprint}.");
        }

        if (knownFingerprints.Count > 0)
        {
            foreach (var known in knownFingerprints)
            {
                if (Fingerprint.AreEqual(known, certificateFingerprint))
                {
                    return ServerTrustDecision.Trusted(ServerTrustBasis.KnownServer);
                }
            }

            // Like ssh's "REMOTE HOST IDENTIFICATION HAS CHANGED": loud, and never overridden by trust-new.
            return ServerTrustDecision.Refused(
                $"WARNING: the certificate of {endpoint} has changed since it was first trusted! Someone may be intercepting " +
                $"the connection, or the server was given a new certificate. Expected {Display(knownFingerprints[0])}, got " +
                $"{certificateFingerprint}. If you trust the change, remove the line for {endpoint} from " +
                $"{trust.KnownServers?.Path ?? "the known-servers file"} and connect again.");
        }

        if (policyErrors == SslPolicyErrors.None)
        {
            return ServerTrustDecision.Trusted(ServerTrustBasis.CertificateAuthority);
        }

        if (trust.TrustNew && trust.KnownServers is not null)
        {
            return ServerTrustDecision.Trusted(ServerTrustBasis.TrustedOnFirstUse);
        }

        return ServerTrustDecision.Refused(
            $"The certificate of {endpoint} is not trusted ({Describe(policyErrors)}); its SHA-256 fingerprint is " +
            $"{certificateFingerprint}. If that is your server's, pass --fingerprint {certificateFingerprint} to pin it, " +
            "or --trust-new to trust it on first use.");
    }

    private static string Display(string fingerprint) =>
        Fingerprint.TryNormalize(fingerprint, out var normalized) ? normalized : fingerprint;

    private static string Describe(SslPolicyErrors errors)
    {
        var parts = new List<string>(2);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            parts.Add("self-signed or issued by an unknown authority");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            parts.Add("issued for another host name");
        }

        return parts.Count == 0 ? errors.ToString() : string.Join(", ", parts);
    }
}
