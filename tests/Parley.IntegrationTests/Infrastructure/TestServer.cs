using System.Collections.Concurrent;
using Parley.Client;
using Parley.Server.Configuration;
using Parley.Server.Hosting;
using Serilog.Core;
using Serilog.Events;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// A real Parley server on a loopback ephemeral port with a fresh data directory and a self-signed certificate,
/// driven over real TLS. Every log event is captured so tests can check what was (and was not) logged.
/// </summary>
public sealed class TestServer : IAsyncDisposable, ILogEventSink
{
    public const string Password = "Correct-Horse-9";
    private static int _userCounter;
    private readonly ConcurrentQueue<LogEvent> _events = new();

    private TestServer(string dataDirectory) => DataDirectory = dataDirectory;

    public ParleyServer Server { get; private set; } = null!;
    public string DataDirectory { get; }
    public int Port => Server.EndPoint.Port;
    public IReadOnlyCollection<LogEvent> LogEvents => _events;

    public static async Task<TestServer> StartAsync(Action<ParleyServerOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "parley-it-" + Guid.NewGuid().ToString("N"));
        var options = new ParleyServerOptions
        {
            Bind = "127.0.0.1",
            Port = 0,
            DataDirectory = directory,
            BcryptCost = 4,
            ServerName = "test-server",
            LogLevel = "Debug",
        };
        configure?.Invoke(options);
        var server = new TestServer(directory);
        server.Server = await ParleyServer.StartAsync(options, server);
        return server;
    }

    /// <summary>A username no other test uses.</summary>
    public static string NewUsername(string prefix = "user") => $"{prefix}{Interlocked.Increment(ref _userCounter)}_{Random.Shared.Next(1000, 9999)}";

    public ParleyClientOptions ClientOptions => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Trust = ServerTrust.Pin(Server.CertificateFingerprint),
    };

    public Task<ParleyConnection> ConnectAsync() => ParleyConnection.ConnectAsync(ClientOptions, Timeouts.Token());

    /// <summary>Registers a fresh user and returns a logged-in connection for them.</summary>
    public async Task<(ParleyConnection Connection, string Username)> NewUserAsync(string prefix = "user")
    {
        var username = NewUsername(prefix);
        var connection = await ConnectAsync();
        await connection.RegisterAsync(username, Password, Timeouts.Token());
        await connection.LoginAsync(username, Password, Timeouts.Token());
        return (connection, username);
    }

    public async Task<ParleyConnection> LoginAsync(string username)
    {
        var connection = await ConnectAsync();
        await connection.LoginAsync(username, Password, Timeouts.Token());
        return connection;
    }

    /// <summary>Every rendered log message and property value, for checks that secrets never reach a log.</summary>
    public string AllLogText() => string.Join('\n', _events.Select(e =>
        e.RenderMessage() + " " + string.Join(' ', e.Properties.Values) + " " + e.Exception));

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>
    /// Stops the server. A quiet log is part of passing: if the server logged an error, the test fails
    /// (MQTTnet's TestEnvironment does the same).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A log file may still be closing; the temp directory is disposable.
        }

        var errors = _events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage() + " " + e.Exception).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The server logged errors:\n" + string.Join('\n', errors));
        }
    }
}
