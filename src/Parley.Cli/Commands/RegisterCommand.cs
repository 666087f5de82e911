using System.ComponentModel;

namespace Parley.Cli.Commands;

[Description("Create an account for --user. Asks for the password twice (masked) unless PARLEY_PASSWORD is set.")]
internal sealed class RegisterCommand(CliHost host) : ParleyCommand<ParleySettings>(host)
{
    protected override async Task<int> RunAsync(CommandRun run)
    {
        var user = run.User;
        var password = await run.PasswordAsync(confirm: true);
        await using var connection = await run.ConnectAsync();
        var account = await connection.RegisterAsync(user, password, run.CancellationToken);
        run.SaveSettings(account.Username);
        if (run.Output.Json)
        {
            run.Output.Event("registered", w =>
            {
                w.WriteString("user_id", account.UserId);
                w.WriteString("username", account.Username);
                w.WriteString("server_id", account.ServerId);
                w.WriteString("server", run.Server.ToString());
            });
        }
        else
        {
            run.Output.Line($"Registered {account.Username} (user id {account.UserId}) on {run.Server} ({account.ServerId}).");
        }

        return ExitCodes.Success;
    }
}
