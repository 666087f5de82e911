using System.Net.Security;
using Parley.Client.Tests.Support;

namespace Parley.Client.Tests;

public sealed class ServerCertificateValidatorTests
{
    private const string Host = "chat.example";
    private const int Port = 5001;
    private static readonly string Presented = TestCertificates.RandomFingerprint();
    private static readonly string Other = TestCertificates.RandomFingerprint();
    private static readonly KnownServersFile Known = new("/nonexistent/parley/known_servers");

    private static ServerTrustDecision Evaluate(
        ServerTrust trust, SslPolicyErrors errors = SslPolicyErrors.RemoteCertificateChainErrors, params string[] known) =>
        ServerCertificateValidator.Evaluate(trust, Host, Port, Presented, errors, known);

    [Fact]
    public void Pinned_MatchingFingerprint_IsTrustedDespiteChainErrors()
    {
        var decision = Evaluate(ServerTrust.Pin(Presented.Replace(":", "").ToLowerInvariant()));

        Assert.True(decision.IsTrusted);
        Assert.Equal(ServerTrustBasis.PinnedFingerprint, decision.Basis);
        Assert.False(decision.ShouldRecord);
    }

    [Fact]
    public void Pinned_DifferentFingerprint_IsRefusedEvenWhenTheChainIsValidAndTheServerKnown()
    {
        var trust = ServerTrust.Pin(Other) with { KnownServers = Known, TrustNew = true };

        var decision = Evaluate(trust, SslPolicyErrors.None, Presented);

        Assert.False(decision.IsTrusted);
        Assert.Contains("does not match the pinned fingerprint", decision.Failure);
        Assert.Contains(Other, decision.Failure);
        Assert.Contains(Presented, decision.Failure);
    }

    [Fact]
    public void Known_MatchingEntry_IsTrusted()
    {
        var decision = Evaluate(new ServerTrust { KnownServers = Known }, SslPolicyErrors.RemoteCertificateChainErrors, Other, Presented);

        Assert.Equal(ServerTrustBasis.KnownServer, decision.Basis);
        Assert.False(decision.ShouldRecord);
    }

    [Fact]
    public void Known_ChangedCertificate_FailsLoudlyEvenWithTrustNewAndAValidChain()
    {
        var trust = new ServerTrust { KnownServers = Known, TrustNew = true };

        var decision = Evaluate(trust, SslPolicyErrors.None, Other);

        Assert.False(decision.IsTrusted);
        Assert.StartsWith("WARNING: the certificate of chat.example:5001 has changed", decision.Failure);
        Assert.Contains($"Expected {Other}, got {Presented}", decision.Failure);
        Assert.Contains($"remove the line for chat.example:5001 from {Known.Path}", decision.Failure);
        Assert.DoesNotContain('\n', decision.Failure!);
    }

    [Fact]
    public void SystemCertificateAuthority_WithNoPolicyErrors_IsTrustedAndNotRecorded()
    {
        var decision = Evaluate(new ServerTrust { KnownServers = Known, TrustNew = true }, SslPolicyErrors.None);

        Assert.Equal(ServerTrustBasis.CertificateAuthority, decision.Basis);
        Assert.False(decision.ShouldRecord);
    }

    [Fact]
    public void TrustNew_UnknownSelfSignedCertificate_IsTrustedAndShouldBeRecorded()
    {
        var decision = Evaluate(new ServerTrust { KnownServers = Known, TrustNew = true });

        Assert.Equal(ServerTrustBasis.TrustedOnFirstUse, decision.Basis);
        Assert.True(decision.ShouldRecord);
    }

    [Theory]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, "self-signed or issued by an unknown authority")]
    [InlineData(SslPolicyErrors.RemoteCertificateNameMismatch, "issued for another host name")]
    public void Unknown_WithoutTrustNew_FailsWithTheFingerprintAndWhatToPass(SslPolicyErrors errors, string why)
    {
        var decision = Evaluate(new ServerTrust { KnownServers = Known }, errors);

        Assert.False(decision.IsTrusted);
        Assert.Contains(why, decision.Failure);
        Assert.Contains($"--fingerprint {Presented}", decision.Failure);
        Assert.Contains("--trust-new", decision.Failure);
        Assert.DoesNotContain('\n', decision.Failure!);
    }

    [Fact]
    public void TrustNew_WithoutAKnownServersFile_IsNotAValidSetting()
    {
        // Trust-new that remembers nothing would accept any certificate on every connection.
        Assert.Throws<ArgumentException>(() => new ServerTrust { TrustNew = true }.Validate());
        Assert.False(Evaluate(new ServerTrust { TrustNew = true }).IsTrusted);
    }

    [Fact]
    public void MalformedPin_IsNotAValidSetting()
    {
        Assert.Throws<ArgumentException>(() => ServerTrust.Pin("AB:CD").Validate());
    }

    [Fact]
    public void NoCertificate_IsRefusedWhateverTheSettings()
    {
        var decision = ServerCertificateValidator.Evaluate(
            ServerTrust.Pin(Presented), Host, Port, null, SslPolicyErrors.RemoteCertificateNotAvailable, []);

        Assert.False(decision.IsTrusted);
        Assert.Contains("presented no TLS certificate", decision.Failure);
    }
}
