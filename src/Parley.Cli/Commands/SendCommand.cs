using System.ComponentModel;
using Parley.Protocol.Messages;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

internal sealed class SendSettings : ParleySettings
{
    [CommandArgument(0, "<USER>")]
    [Description("Recipient: a username or user id.")]
    public string To { get; set; } = string.Empty;

    [CommandArgument(1, "<TEXT>")]
    [Description("The message. Quote it if it has spaces.")]
    public string Text { get; set; } = string.Empty;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(To))
        {
            return ValidationResult.Error("USER is empty");
        }

        return string.IsNullOrEmpty(Text) ? ValidationResult.Error("TEXT is empty") : base.Validate();
    }
}

[Description("Send USER a direct message and print its delivery status. Exits 1 if USER does not exist (an offline user is exit 0: 'not delivered').")]
internal sealed class SendCommand(CliHost host) : ParleyCommand<SendSettings>(host)
{
    protected override async Task<int> RunAsync(CommandRun run)
    {
        var settings = (SendSettings)run.Settings;
        await using var connection = await run.ConnectAndLoginAsync();
        var status = await connection.SendMessageAsync(settings.To, settings.Text, run.CancellationToken);
        if (status.Status == DeliveryStates.UnknownUser)
        {
            if (run.Output.Json)
            {
                run.Output.DeliveryStatus(status);
            }

            throw new CliException(DeliveryStates.UnknownUser, $"no user named '{settings.To}' on {run.Server}");
        }

        run.Output.DeliveryStatus(status);
        return ExitCodes.Success;
    }
}
