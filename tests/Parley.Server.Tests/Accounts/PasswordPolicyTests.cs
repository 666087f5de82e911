using Parley.Server.Accounts;

namespace Parley.Server.Tests.Accounts;

public sealed class PasswordPolicyTests
{
    private const string ClassicRequirement =
        "Password must be at least 8 characters and contain upper case, lower case, a digit and a special character.";

    private const string Username = "someone";

    private static readonly PasswordPolicy Classic = new(PasswordPolicyKind.Classic, CommonPasswords.LoadEmbedded());
    private static readonly PasswordPolicy Nist = new(PasswordPolicyKind.Nist, CommonPasswords.LoadEmbedded());

    private static PasswordPolicy For(PasswordPolicyKind kind) => kind == PasswordPolicyKind.Classic ? Classic : Nist;

    private static void AssertAccepted(PasswordPolicy policy, string password, string username = Username)
    {
        Assert.True(policy.TryValidate(password, username, out var reason), reason);
        Assert.Equal(string.Empty, reason);
    }

    private static void AssertRefused(PasswordPolicy policy, string password, string expectedReason, string username = Username)
    {
        Assert.False(policy.TryValidate(password, username, out var reason));
        Assert.Equal(expectedReason, reason);
        Assert.DoesNotContain(password, reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Classic_SevenCharacters_RefusedAsTooShort()
    {
        AssertRefused(Classic, "Ab1!xyz", $"{ClassicRequirement} It is too short.");
    }

    [Fact]
    public void Classic_EightCharactersWithAllKinds_Accepted()
    {
        AssertAccepted(Classic, "Ab1!xyzw");
    }

    [Theory]
    [InlineData("ab1!xyzw", "an upper-case letter")]
    [InlineData("AB1!XYZW", "a lower-case letter")]
    [InlineData("Abc!xyzw", "a digit")]
    [InlineData("Ab1cxyzw", "a special character")]
    public void Classic_MissingOneKind_RefusedNamingIt(string password, string missing)
    {
        AssertRefused(Classic, password, $"{ClassicRequirement} It is missing {missing}.");
    }

    [Fact]
    public void Classic_MissingSeveralKinds_RefusedNamingEach()
    {
        AssertRefused(Classic, "qzxvbnmk", $"{ClassicRequirement} It is missing an upper-case letter, a digit and a special character.");
    }

    [Fact]
    public void Classic_SpaceCountsAsSpecialCharacter()
    {
        AssertAccepted(Classic, "Ab1 xyzw");
    }

    [Fact]
    public void Nist_FourteenCharacters_RefusedAsTooShort()
    {
        AssertRefused(Nist, "correcthorseba", "Password must be at least 15 characters; a passphrase of several words is easiest to remember.");
    }

    [Fact]
    public void Nist_FifteenLowerCaseCharacters_AcceptedWithoutCompositionRules()
    {
        AssertAccepted(Nist, "correcthorsebat");
    }

    [Fact]
    public void Nist_CountsCodePointsNotUtf16Units()
    {
        var grin = "\U0001F600";
        AssertAccepted(Nist, string.Concat(Enumerable.Repeat(grin, 15)));
        AssertRefused(
            Nist,
            string.Concat(Enumerable.Repeat(grin, 14)),
            "Password must be at least 15 characters; a passphrase of several words is easiest to remember.");
    }

    [Theory]
    [InlineData(PasswordPolicyKind.Classic)]
    [InlineData(PasswordPolicyKind.Nist)]
    public void MaxLength_128Accepted_129Refused(PasswordPolicyKind kind)
    {
        var policy = For(kind);
        var password128 = "Ab1!" + new string('x', 124);

        AssertAccepted(policy, password128);
        AssertRefused(policy, password128 + "x", "Password must be at most 128 characters.");
    }

    [Theory]
    [InlineData(PasswordPolicyKind.Classic, "P@ssw0rd")]
    [InlineData(PasswordPolicyKind.Classic, "p@SSW0RD")]
    [InlineData(PasswordPolicyKind.Nist, "mailcreated5240")]
    [InlineData(PasswordPolicyKind.Nist, "MailCreated5240")]
    public void CommonPassword_InAnyCase_Refused(PasswordPolicyKind kind, string password)
    {
        AssertRefused(For(kind), password, "Password is one of the most commonly used passwords; choose one that is harder to guess.");
    }

    [Theory]
    [InlineData(PasswordPolicyKind.Classic, "Alice.Smith-1", "ALICE.smith-1")]
    [InlineData(PasswordPolicyKind.Nist, "correct.horse.battery", "Correct.Horse.Battery")]
    public void PasswordEqualToUsernameIgnoringCase_RefusedSayingSo(PasswordPolicyKind kind, string username, string password)
    {
        AssertRefused(For(kind), password, "Password must not be the same as the username.", username);
    }

    [Theory]
    [InlineData(PasswordPolicyKind.Classic)]
    [InlineData(PasswordPolicyKind.Nist)]
    public void EmptyPassword_RefusedAsRequired(PasswordPolicyKind kind)
    {
        Assert.False(For(kind).TryValidate(string.Empty, Username, out var reason));
        Assert.Equal("Password is required.", reason);
    }

    [Fact]
    public void UnpairedSurrogate_Refused()
    {
        AssertRefused(Nist, "correcthorsebattery\uD800", "Password contains invalid characters (an unpaired UTF-16 surrogate).");
    }

    [Fact]
    public void Kind_ReportsConstructedPreset()
    {
        Assert.Equal(PasswordPolicyKind.Classic, Classic.Kind);
        Assert.Equal(PasswordPolicyKind.Nist, Nist.Kind);
    }

    [Fact]
    public void DefaultKind_IsClassic()
    {
        Assert.Equal(PasswordPolicyKind.Classic, default);
    }

    [Fact]
    public void Constructor_UndefinedKind_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordPolicy((PasswordPolicyKind)7, CommonPasswords.LoadEmbedded()));
    }
}
