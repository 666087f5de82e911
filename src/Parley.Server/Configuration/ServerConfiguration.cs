using Microsoft.Extensions.Configuration;

namespace Parley.Server.Configuration;

/// <summary>
/// Where settings come from, lowest precedence first: appsettings.json beside the executable, environment variables
/// <c>PARLEY_&lt;KEY&gt;</c> (nested keys with <c>__</c>), then command-line flags.
/// </summary>
internal static class ServerConfiguration
{
    public const string EnvironmentPrefix = "PARLEY_";

    public static ParleyServerOptions Load(IReadOnlyDictionary<string, string?> flags, string settingsFile)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(settingsFile, optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddInMemoryCollection(flags)
            .Build();
        var options = new ParleyServerOptions();
        configuration.Bind(options);
        return options;
    }
}
