using Parley.Server.Accounts;
using Parley.Server.Configuration;

namespace Parley.Server.Tests.Configuration;

public sealed class ServerConfigurationTests : IDisposable
{
    private readonly string _settingsFile = Path.Combine(Path.GetTempPath(), $"parley-settings-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_settingsFile);

    [Fact]
    public void Load_WithNoSources_GivesTheDocumentedDefaults()
    {
        var options = ServerConfiguration.Load(new Dictionary<string, string?>(), _settingsFile);

        Assert.Equal(("0.0.0.0", 5001, "data"), (options.Bind, options.Port, options.DataDirectory));
        Assert.Equal(PasswordPolicyKind.Classic, options.PasswordPolicy);
    }

    [Fact]
    public void Load_FlagsOverrideEnvironment_WhichOverridesTheSettingsFile()
    {
        File.WriteAllText(_settingsFile, """{ "Port": 1111, "ServerName": "from-file", "BcryptCost": 10 }""");
        // A key no other test sets, so running tests in parallel cannot interfere.
        Environment.SetEnvironmentVariable("PARLEY_SERVERNAME", "from-env");
        try
        {
            var options = ServerConfiguration.Load(new Dictionary<string, string?> { ["Port"] = "3333" }, _settingsFile);

            Assert.Equal(3333, options.Port);
            Assert.Equal("from-env", options.ServerName);
            Assert.Equal(10, options.BcryptCost);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PARLEY_SERVERNAME", null);
        }
    }

    [Fact]
    public void Load_ReadsCommentsInTheSettingsFile()
    {
        File.WriteAllText(_settingsFile, """
            {
              // documented settings file
              "PasswordPolicy": "nist"
            }
            """);

        var options = ServerConfiguration.Load(new Dictionary<string, string?>(), _settingsFile);

        Assert.Equal(PasswordPolicyKind.Nist, options.PasswordPolicy);
    }
}
