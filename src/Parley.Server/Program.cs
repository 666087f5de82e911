using Microsoft.Extensions.Options;
using Parley.Server.Configuration;
using Parley.Server.Hosting;

namespace Parley.Server;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!ServerFlags.TryParse(args, out var flags, out var help, out var error))
        {
            await Console.Error.WriteLineAsync($"parley-server: {error}");
            return 2;
        }

        if (help)
        {
            Console.Out.Write(ServerFlags.HelpText());
            return 0;
        }

        try
        {
            var options = ServerConfiguration.Load(flags, Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
            await using var server = await ParleyServer.StartAsync(options);
            await server.WaitForShutdownAsync();
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or IOException
            or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            // One line that says what to fix; the details are in the log when the server got that far.
            await Console.Error.WriteLineAsync($"parley-server: {ex.Message}");
            return 1;
        }
    }
}
