using System.ComponentModel;

namespace Parley.Cli.Commands;

[Description("Log in and print who the server says you are, and the server's certificate fingerprint.")]
internal sealed class WhoamiCommand(CliHost host) : ParleyCommand<ParleySettings>(host)
{
    protected override async Task<int> RunAsync(CommandRun run)
    {
        await using var connection = await run.ConnectAndLoginAsync();
        var session = connection.Session!;
        run.SaveSettings(session.Username);
        if (run.Output.Json)
        {
            run.Output.Event("whoami", w =>
            {
                w.WriteString("user_id", session.UserId);
                w.WriteString("username", session.Username);
                w.WriteString("virtual_ip", session.VirtualIp);
                w.WriteString("server_id", session.ServerId);
                w.WriteString("server_name", session.ServerName);
                w.WriteString("server", connection.Endpoint);
                w.WriteString("certificate_fingerprint", connection.CertificateFingerprint);
            });
            return ExitCodes.Success;
        }

        run.Output.Table(
            ["FIELD", "VALUE"],
            [
                ["username", session.Username],
                ["user id", session.UserId],
                ["virtual ip", session.VirtualIp],
                ["server", connection.Endpoint],
                ["server id", session.ServerId],
                ["server name", session.ServerName],
                ["certificate", connection.CertificateFingerprint],
            ]);
        return ExitCodes.Success;
    }
}
