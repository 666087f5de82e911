using Parley.Server.Accounts;

namespace Parley.Server.Tests.Accounts;

public sealed class CommonPasswordsTests
{
    [Fact]
    public void LoadEmbedded_ShipsAtLeastThreeThousandPasswords()
    {
        Assert.InRange(CommonPasswords.LoadEmbedded().Count, 3_000, 20_000);
    }

    [Theory]
    [InlineData("123456")]
    [InlineData("password")]
    [InlineData("PASSWORD")]
    [InlineData("QwErTy")]
    [InlineData("P@ssw0rd")]
    public void Contains_ListedPasswordInAnyCase_ReturnsTrue(string password)
    {
        Assert.True(CommonPasswords.LoadEmbedded().Contains(password));
    }

    [Theory]
    [InlineData("vQ3#kd93!zLmw")]
    [InlineData("")]
    public void Contains_UnlistedPassword_ReturnsFalse(string password)
    {
        Assert.False(CommonPasswords.LoadEmbedded().Contains(password));
    }

    [Fact]
    public void LoadEmbedded_SkipsLicenceHeaderComments()
    {
        var passwords = CommonPasswords.LoadEmbedded();

        Assert.False(passwords.Contains("# Licence: MIT. Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; Copyright (c) 2021 @zxcvbn-ts"));
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreNotPasswords()
    {
        var passwords = CommonPasswords.Parse(new StringReader("# header\n\nhunter2\n#another\nletmein\n"));

        Assert.Equal(2, passwords.Count);
        Assert.True(passwords.Contains("HUNTER2"));
        Assert.False(passwords.Contains("# header"));
    }
}
