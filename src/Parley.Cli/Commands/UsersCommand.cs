using System.ComponentModel;

namespace Parley.Cli.Commands;

[Description("List who is online: username, virtual IP, server and user id.")]
internal sealed class UsersCommand(CliHost host) : ParleyCommand<ParleySettings>(host)
{
    protected override async Task<int> RunAsync(CommandRun run)
    {
        await using var connection = await run.ConnectAndLoginAsync();
        var users = await connection.GetOnlineUsersAsync(run.CancellationToken);
        run.Output.OnlineUsers(users);
        return ExitCodes.Success;
    }
}
