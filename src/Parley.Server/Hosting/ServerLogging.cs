using Parley.Server.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Parley.Server.Hosting;

/// <summary>
/// Structured logs: readable lines on the console, compact JSON in DATA/logs/server.log (rolled at 10 MB, ten kept).
/// Properties such as ConnectionId, RemoteEndPoint and User come from logging scopes.
/// </summary>
internal static class ServerLogging
{
    public static Logger Create(ParleyServerOptions options, ILogEventSink? extraSink)
    {
        if (!Enum.TryParse<LogEventLevel>(options.LogLevel, ignoreCase: true, out var level))
        {
            throw new ArgumentException($"LogLevel '{options.LogLevel}' is not one of Verbose, Debug, Information, Warning, Error, Fatal.");
        }

        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{Scope}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(options.FullDataDirectory, "logs", "server.log"),
                fileSizeLimitBytes: 10 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: 10);
        if (extraSink is not null)
        {
            configuration.WriteTo.Sink(extraSink);
        }

        return configuration.CreateLogger();
    }
}
