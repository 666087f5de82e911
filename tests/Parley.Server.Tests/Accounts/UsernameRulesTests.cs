using Parley.Server.Accounts;

namespace Parley.Server.Tests.Accounts;

public sealed class UsernameRulesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("Alice")]
    [InlineData("bob_smith.99-x")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")] // 32
    public void TryValidate_AllowedUsername_ReturnsTrueWithEmptyReason(string username)
    {
        Assert.True(UsernameRules.TryValidate(username, out var reason));
        Assert.Equal(string.Empty, reason);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")] // 33
    public void TryValidate_WrongLength_RefusesWithLengthRange(string username)
    {
        Assert.False(UsernameRules.TryValidate(username, out var reason));
        Assert.Equal("Username must be 3 to 32 characters long.", reason);
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("at@sign")]
    [InlineData("caf\u00e9")]
    [InlineData("smile\U0001F600")]
    [InlineData("slash/name")]
    public void TryValidate_DisallowedCharacter_RefusesNamingAllowedCharacters(string username)
    {
        Assert.False(UsernameRules.TryValidate(username, out var reason));
        Assert.Equal("Username may contain only letters A-Z, digits 0-9, '_', '.' and '-'.", reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryValidate_Missing_RefusesAsRequired(string? username)
    {
        Assert.False(UsernameRules.TryValidate(username, out var reason));
        Assert.Equal("Username is required.", reason);
    }

    [Fact]
    public void Normalize_MixedCase_ReturnsLowerInvariant()
    {
        Assert.Equal("alice.smith_1-x", UsernameRules.Normalize("AlIcE.Smith_1-X"));
    }
}
