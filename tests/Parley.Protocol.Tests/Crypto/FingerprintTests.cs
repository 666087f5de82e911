using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

public class FingerprintTests
{
    private static readonly byte[] Hash = Enumerable.Range(0, 32).Select(i => (byte)(i * 8 + 5)).ToArray();
    private static readonly string Canonical = Fingerprint.Format(Hash);
    private static readonly string PlainHex = Convert.ToHexString(Hash);

    [Fact]
    public void Format_Of32Bytes_IsUpperCaseHexPairsJoinedByColons()
    {
        Assert.Equal(95, Canonical.Length);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", Canonical);
        Assert.StartsWith("05:0D:15:1D:", Canonical, StringComparison.Ordinal);
        Assert.EndsWith(":FD", Canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void Sha256_IsTheFormattedSha256OfTheBytes()
    {
        var der = Bytes.Pattern(300);

        Assert.Equal(Fingerprint.Format(SHA256.HashData(der)), Fingerprint.Sha256(der));
    }

    [Fact]
    public void Sha256_OfEmptyInput_MatchesTheWellKnownDigest()
    {
        Assert.Equal(
            "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55",
            Fingerprint.Sha256([]));
    }

    public static TheoryData<string> AcceptedSpellings() => new()
    {
        Canonical,
        Canonical.ToLowerInvariant(),
        PlainHex,
        PlainHex.ToLowerInvariant(),
        "SHA256:" + Canonical,
        "sha256:" + PlainHex.ToLowerInvariant(),
        "  " + Canonical + "\n",
    };

    [Theory]
    [MemberData(nameof(AcceptedSpellings))]
    public void TryNormalize_WithAcceptedSpelling_ReturnsCanonicalForm(string text)
    {
        Assert.True(Fingerprint.TryNormalize(text, out var normalized));
        Assert.Equal(Canonical, normalized);
    }

    public static TheoryData<string?> RejectedSpellings() => new()
    {
        null,
        "",
        "   ",
        PlainHex[..62],
        PlainHex + "00",
        Canonical[..^3],
        PlainHex[..^1] + "G",
        "SHA1:" + PlainHex,
        "SHA256:",
        PlainHex.Insert(10, " "),
        PlainHex.Insert(10, "-"),
    };

    [Theory]
    [MemberData(nameof(RejectedSpellings))]
    public void TryNormalize_WithWrongLengthOrNonHex_ReturnsFalse(string? text)
    {
        Assert.False(Fingerprint.TryNormalize(text, out var normalized));
        Assert.Equal(string.Empty, normalized);
    }

    [Fact]
    public void AreEqual_WithSameHashDifferentlySpelled_ReturnsTrue()
    {
        Assert.True(Fingerprint.AreEqual(Canonical, "sha256:" + PlainHex.ToLowerInvariant()));
    }

    [Fact]
    public void AreEqual_WithDifferentHashes_ReturnsFalse()
    {
        var other = (byte[])Hash.Clone();
        other[31] ^= 1;

        Assert.False(Fingerprint.AreEqual(Canonical, Fingerprint.Format(other)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a fingerprint")]
    public void AreEqual_WhenEitherSideIsInvalid_ReturnsFalse(string? invalid)
    {
        Assert.False(Fingerprint.AreEqual(Canonical, invalid));
        Assert.False(Fingerprint.AreEqual(invalid, Canonical));
        Assert.False(Fingerprint.AreEqual(invalid, invalid));
    }
}
