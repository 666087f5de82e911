using Parley.Client;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary>
/// What every command shares: resolving server, user, password and trust from options, environment and saved
/// settings; connecting; and turning any failure into one line and an exit code (see <see cref="ExitCodes"/>).
/// </summary>
internal abstract class ParleyCommand<TSettings>(CliHost host) : AsyncCommand<TSettings>
    where TSettings : ParleySettings
{
    protected CliHost Host { get; } = host;

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        var output = new CliOutput(Host, settings.Json);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Host.Interrupted);
        try
        {
            var run = new CommandRun(Host, settings, output, ParleyHome.Resolve(Host), interrupt.Token);
            return await RunAsync(run).ConfigureAwait(false);
        }
        catch (Exception ex) when (Explain(ex, interrupt.Token) is var (code, message, exit))
        {
            output.Error(code, message);
            return exit;
        }
    }

    protected abstract Task<int> RunAsync(CommandRun run);

    internal static (string Code, string Message, int ExitCode)? Explain(Exception exception, CancellationToken interrupted) => exception switch
    {
        CliException cli => (cli.Code, cli.Message, cli.ExitCode),
        OperationCanceledException when interrupted.IsCancellationRequested => ("interrupted", "interrupted", ExitCodes.Interrupted),
        ServerTrustException trust => ("untrusted_server", trust.Message, ExitCodes.Failure),
        ParleyServerException refused => (refused.Code, Hint(refused), ExitCodes.Failure),
        ParleyConnectionException { InnerException: System.Net.Sockets.SocketException } unreachable =>
            ("connection_failed", $"{unreachable.Message.TrimEnd('.')} (is the server running, and is --server right?)", ExitCodes.Failure),
        ParleyConnectionException lost => (lost.ErrorCode ?? "connection_failed", lost.Message, ExitCodes.Failure),
        TimeoutException timeout => ("timeout", timeout.Message, ExitCodes.Failure),
        ParleyProtocolException protocol => ("protocol_error", protocol.Message, ExitCodes.Failure),
        IOException or UnauthorizedAccessException => ("io_error", exception.Message, ExitCodes.Failure),
        _ => null,
    };

    private static string Hint(ParleyServerException refused) => refused.Code switch
    {
        ErrorCodes.InvalidCredentials => $"{refused.Message} (check --user and PARLEY_PASSWORD)",
        ErrorCodes.UsernameTaken => $"{refused.Message} (choose another --user)",
        _ => $"the server refused: {refused.Message} ({refused.Code})",
    };
}

/// <summary>One invocation's resolved inputs.</summary>
internal sealed class CommandRun
{
    private readonly SavedSettings _saved;

    public CommandRun(CliHost host, ParleySettings settings, CliOutput output, ParleyHome home, CancellationToken cancellationToken)
    {
        Host = host;
        Settings = settings;
        Output = output;
        Home = home;
        CancellationToken = cancellationToken;
        _saved = home.LoadSettings();
        Server = ResolveServer();
    }

    public CliHost Host { get; }
    public ParleySettings Settings { get; }
    public CliOutput Output { get; }
    public ParleyHome Home { get; }
    public CancellationToken CancellationToken { get; }
    public ServerAddress Server { get; }

    public string User =>
        Settings.User ?? Host.Variable("PARLEY_USER") ?? _saved.User
        ?? throw new CliUsageException("no user: pass --user NAME or set PARLEY_USER");

    private ServerAddress ResolveServer()
    {
        if (Settings.Server is { } option)
        {
            return Parse(option, "--server");
        }

        if (Host.Variable("PARLEY_SERVER") is { } variable)
        {
            return Parse(variable, "PARLEY_SERVER");
        }

        return _saved.Server is { } saved && ServerAddress.TryParse(saved, out var address, out _) ? address : ServerAddress.Default;

        static ServerAddress Parse(string text, string source) =>
            ServerAddress.TryParse(text, out var parsed, out var error) ? parsed : throw new CliUsageException($"{source}: {error}");
    }

    /// <summary>PARLEY_PASSWORD, else a masked prompt (twice when <paramref name="confirm"/>), else a usage error.</summary>
    public async Task<string> PasswordAsync(bool confirm = false)
    {
        if (Host.Variable("PARLEY_PASSWORD") is { } password)
        {
            return password;
        }

        if (Host.IsInputRedirected)
        {
            throw new CliUsageException("no password: set PARLEY_PASSWORD, or run in a terminal to be asked for it");
        }

        var first = await Host.PromptSecretAsync($"Password for {User}@{Server}:", CancellationToken).ConfigureAwait(false);
        if (confirm && await Host.PromptSecretAsync("Repeat the password:", CancellationToken).ConfigureAwait(false) != first)
        {
            throw new CliException("password_mismatch", "the two passwords differ; nothing was registered");
        }

        return first;
    }

    public ParleyClientOptions ClientOptions => ParleyClientOptions.Default with
    {
        Host = Server.Host,
        Port = Server.Port,
        Trust = new ServerTrust
        {
            PinnedFingerprint = Settings.Fingerprint,
            KnownServers = new KnownServersFile(Home.KnownServersPath),
            TrustNew = Settings.TrustNew,
        },
    };

    public async Task<ParleyConnection> ConnectAsync()
    {
        var connection = await ParleyConnection.ConnectAsync(ClientOptions, CancellationToken).ConfigureAwait(false);
        if (connection.TrustBasis == ServerTrustBasis.TrustedOnFirstUse)
        {
            Output.Note($"Trusted new server {connection.Endpoint} (certificate SHA-256 {connection.CertificateFingerprint}); recorded in {Home.KnownServersPath}.");
        }

        return connection;
    }

    /// <summary>Connects and logs in as <see cref="User"/>.</summary>
    public async Task<ParleyConnection> ConnectAndLoginAsync()
    {
        var user = User;
        var password = await PasswordAsync().ConfigureAwait(false);
        var connection = await ConnectAsync().ConfigureAwait(false);
        try
        {
            await connection.LoginAsync(user, password, CancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Remembers the server and user (never the password) for the next command.</summary>
    public void SaveSettings(string user) =>
        Home.SaveSettings(new SavedSettings { Server = Server.ToString(), User = user });

    /// <summary>The failure to report when the connection ends under a command that was still using it.</summary>
    public static CliException Lost(ParleyConnection connection)
    {
        var reason = connection.CloseReason;
        return reason is null
            ? new CliException("connection_closed", "the connection closed")
            : new CliException(reason.ErrorCode ?? "connection_closed", $"connection to {connection.Endpoint} ended: {reason.Message}");
    }

    public static bool IsConnectionLevelError(ServerMessage message) => message is ErrorReply { Id: null };
}
