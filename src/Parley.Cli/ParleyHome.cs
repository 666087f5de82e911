using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Client;

namespace Parley.Cli;

/// <summary>
/// The CLI's files: <c>$PARLEY_HOME</c> if set, else <c>parley/</c> under the user's config directory
/// (ApplicationData: ~/.config on Linux). Holds <c>known_servers</c> and <c>settings.json</c>; never a password.
/// </summary>
internal sealed class ParleyHome(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string KnownServersPath => Path.Combine(Directory, "known_servers");

    public string SettingsPath => Path.Combine(Directory, "settings.json");

    public static ParleyHome Resolve(CliHost host)
    {
        if (host.Variable("PARLEY_HOME") is { } home)
        {
            return new ParleyHome(home);
        }

        var config = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
        if (string.IsNullOrEmpty(config))
        {
            throw new CliUsageException("no config directory for this user; set PARLEY_HOME to a directory parley may write to");
        }

        return new ParleyHome(Path.Combine(config, "parley"));
    }

    /// <summary>The saved settings, or empty ones when there are none or the file is unreadable.</summary>
    public SavedSettings LoadSettings()
    {
        try
        {
            var json = File.ReadAllBytes(SettingsPath);
            return JsonSerializer.Deserialize(json, CliJsonContext.Default.SavedSettings) ?? new SavedSettings();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new SavedSettings();
        }
    }

    /// <summary>Saves the last server and user, atomically and readable only by the owner.</summary>
    public void SaveSettings(SavedSettings settings)
    {
        PrivateFiles.EnsureDirectory(Directory);
        var json = JsonSerializer.Serialize(settings, CliJsonContext.Default.SavedSettings);
        PrivateFiles.WriteAtomically(SettingsPath, json + "\n");
    }
}

/// <summary>
/// What <c>settings.json</c> holds. Deliberately no password field: a password is never written anywhere.
/// </summary>
internal sealed record SavedSettings
{
    public string? Server { get; init; }
    public string? User { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SavedSettings))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
