using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Parley.Cli;

/// <summary>Spectre's help, plus the environment variables, files and exit codes every command shares.</summary>
internal sealed class ParleyHelpProvider(ICommandAppSettings settings) : HelpProvider(settings)
{
    internal const string Footer =
        "ENVIRONMENT:\n" +
        "    PARLEY_SERVER    default for --server (HOST:PORT)\n" +
        "    PARLEY_USER      default for --user\n" +
        "    PARLEY_PASSWORD  the password (else a masked prompt); never saved\n" +
        "    PARLEY_HOME      home of known_servers, settings.json (~/.config/parley)\n" +
        "\n" +
        "EXIT CODES:\n" +
        "    0    success\n" +
        "    1    failure: refused, unreachable, untrusted, timed out, unknown user\n" +
        "    2    usage error: bad or missing option, argument or input\n" +
        "    130  interrupted (Ctrl-C)\n";

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
        [.. base.GetFooter(model, command), new Text("\n" + Footer)];
}
