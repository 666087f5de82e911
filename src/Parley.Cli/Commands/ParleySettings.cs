using System.ComponentModel;
using Parley.Protocol.Crypto;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary>The options every command takes.</summary>
internal class ParleySettings : CommandSettings
{
    [CommandOption("--server <HOST:PORT>")]
    [Description("Server to use. Default: $PARLEY_SERVER, else the last server saved by register/whoami, else localhost:5001.")]
    public string? Server { get; set; }

    [CommandOption("--user <NAME>")]
    [Description("Your username. Default: $PARLEY_USER, else the saved user. The password comes from $PARLEY_PASSWORD, else a masked prompt on a terminal.")]
    public string? User { get; set; }

    [CommandOption("--fingerprint <FP>")]
    [Description("Trust only the server certificate with this SHA-256 fingerprint (AB:CD:… as printed by whoami or openssl).")]
    public string? Fingerprint { get; set; }

    [CommandOption("--trust-new")]
    [Description("Trust a server seen for the first time and record its certificate in known_servers. A changed certificate is still refused.")]
    public bool TrustNew { get; set; }

    [CommandOption("--json")]
    [Description("Print one JSON object per line on stdout; errors as {\"error\":code,\"message\":...} on stderr.")]
    public bool Json { get; set; }

    public override ValidationResult Validate()
    {
        if (Server is not null && !ServerAddress.TryParse(Server, out _, out var error))
        {
            return ValidationResult.Error($"--server: {error}");
        }

        if (Fingerprint is not null && !Protocol.Crypto.Fingerprint.TryNormalize(Fingerprint, out _))
        {
            return ValidationResult.Error("--fingerprint: expected a SHA-256 fingerprint, 32 bytes of hex such as AB:CD:…");
        }

        if (User is { Length: 0 })
        {
            return ValidationResult.Error("--user: the username is empty");
        }

        return ValidationResult.Success();
    }
}
