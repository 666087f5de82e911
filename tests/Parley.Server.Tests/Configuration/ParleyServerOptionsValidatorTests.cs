using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Parley.Server.Configuration;

namespace Parley.Server.Tests.Configuration;

public sealed class ParleyServerOptionsValidatorTests
{
    /// <summary>Options bound from "Key=Value;Key=Value", as appsettings.json or PARLEY_* variables would set them.</summary>
    private static ParleyServerOptions With(string settings)
    {
        var values = settings.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => (string?)pair[1]);
        var options = new ParleyServerOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options);
        return options;
    }

    private static ValidateOptionsResult Validate(ParleyServerOptions options) =>
        new ParleyServerOptionsValidator().Validate(null, options);

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = Validate(new ParleyServerOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Bind=localhost", "Bind")]
    [InlineData("Bind=10.0.0.300", "Bind")]
    [InlineData("Port=-1", "Port")]
    [InlineData("Port=65536", "Port")]
    [InlineData("BcryptCost=3", "BcryptCost")]
    [InlineData("BcryptCost=32", "BcryptCost")]
    [InlineData("MaxConcurrentHashes=0", "MaxConcurrentHashes")]
    [InlineData("MaxFrameBytes=4095;MaxTextBytes=1024", "MaxFrameBytes")]
    [InlineData("MaxFrameBytes=67108865", "MaxFrameBytes")]
    [InlineData("MaxFrameBytes=4096;MaxTextBytes=2049", "MaxTextBytes")]
    [InlineData("MaxTextBytes=524289", "MaxTextBytes")]
    [InlineData("MaxTextBytes=0", "MaxTextBytes")]
    [InlineData("OutboundQueueLength=15", "OutboundQueueLength")]
    [InlineData("HandshakeTimeoutSeconds=0;LoginTimeoutSeconds=30", "HandshakeTimeoutSeconds")]
    [InlineData("HandshakeTimeoutSeconds=301;LoginTimeoutSeconds=600", "HandshakeTimeoutSeconds")]
    [InlineData("HandshakeTimeoutSeconds=10;LoginTimeoutSeconds=9", "LoginTimeoutSeconds")]
    [InlineData("LoginTimeoutSeconds=86401", "LoginTimeoutSeconds")]
    [InlineData("LoginTimeoutSeconds=5000000", "LoginTimeoutSeconds")] // past what a timer can wait (~49.7 days)
    [InlineData("MaxLoginAttempts=0", "MaxLoginAttempts")]
    [InlineData("ServerName= ", "ServerName")]
    [InlineData("ServerName=12345678901234567890123456789012345678901234567890123456789012345", "ServerName")]
    [InlineData("ServerId=12345678901234567890123456789012345678901234567890123456789012345", "ServerId")]
    [InlineData("CertificateKeyPath=key.pem", "CertificateKeyPath")]
    [InlineData("VirtualIpFirst=::1", "VirtualIpFirst")]
    [InlineData("VirtualIpLast=fe80::1", "VirtualIpLast")]
    [InlineData("VirtualIpFirst=ten.eight.zero.two", "VirtualIpFirst")]
    [InlineData("PasswordPolicy=2", "PasswordPolicy")] // binds: enums take numbers, defined or not
    public void Validate_OneBadSetting_FailsOnceNamingTheSetting(string settings, string setting)
    {
        var result = Validate(With(settings));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(setting, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bind=127.0.0.1")]
    [InlineData("Bind=::")]
    [InlineData("Port=0")]
    [InlineData("Port=65535")]
    [InlineData("BcryptCost=4")]
    [InlineData("BcryptCost=31")]
    [InlineData("MaxFrameBytes=4096;MaxTextBytes=2048")]
    [InlineData("MaxFrameBytes=67108864;MaxTextBytes=33554432")]
    [InlineData("OutboundQueueLength=16")]
    [InlineData("HandshakeTimeoutSeconds=1;LoginTimeoutSeconds=1")]
    [InlineData("HandshakeTimeoutSeconds=300;LoginTimeoutSeconds=300")]
    [InlineData("LoginTimeoutSeconds=86400")]
    [InlineData("CertificatePath=cert.pem;CertificateKeyPath=key.pem")]
    [InlineData("CertificatePath=cert.pfx")]
    [InlineData("ServerId=srv-1")]
    [InlineData("PasswordPolicy=nist")]
    [InlineData("PasswordPolicy=1")]
    [InlineData("VirtualIpFirst=192.168.7.1;VirtualIpLast=192.168.7.254")]
    public void Validate_SettingAtItsLimit_Succeeds(string settings)
    {
        var result = Validate(With(settings));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralBadSettings_ReportsEachOfThem()
    {
        var result = Validate(With("Port=70000;BcryptCost=40;OutboundQueueLength=1"));

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains("Port", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BcryptCost", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("OutboundQueueLength", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadBind_QuotesTheValue()
    {
        var failure = Assert.Single(Validate(With("Bind=my-host")).Failures!);

        Assert.Equal("Bind: 'my-host' is not an IP address.", failure);
    }
}
