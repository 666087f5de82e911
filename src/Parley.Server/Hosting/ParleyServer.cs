using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;
using Parley.Server.Accounts;
using Parley.Server.Configuration;
using Parley.Server.Handlers;
using Parley.Server.Routing;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Parley.Server.Transport;
using Serilog.Core;
using Serilog.Extensions.Logging;

namespace Parley.Server.Hosting;

/// <summary>
/// A running Parley server: the TLS listener and the Parley connection handler on one endpoint, and everything
/// behind it. The executable and the integration tests both start servers through here.
/// </summary>
public sealed class ParleyServer : IAsyncDisposable
{
    private readonly IHost _app;
    private readonly TlsListener _listener;

    private ParleyServer(IHost app, string certificateFingerprint)
    {
        _app = app;
        _listener = app.Services.GetRequiredService<TlsListener>();
        CertificateFingerprint = certificateFingerprint;
    }

    /// <summary>Where the server listens; with port 0 configured, the port the OS chose.</summary>
    public IPEndPoint EndPoint => _listener.EndPoint;

    /// <summary>SHA-256 fingerprint of the TLS certificate, for clients to pin.</summary>
    public string CertificateFingerprint { get; }

    public IServiceProvider Services => _app.Services;

    internal ServerIdentity Identity => _app.Services.GetRequiredService<ServerIdentity>();

    /// <summary>
    /// Validates <paramref name="options"/>, prepares the data directory (keys, certificate, database) and starts
    /// listening. <paramref name="extraLogSink"/> lets tests observe every log event.
    /// </summary>
    public static async Task<ParleyServer> StartAsync(ParleyServerOptions options, ILogEventSink? extraLogSink = null, CancellationToken cancellationToken = default)
    {
        var validation = new ParleyServerOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(ParleyServerOptions), typeof(ParleyServerOptions), validation.Failures);
        }

        CreateDataDirectory(options.FullDataDirectory);
        var serilog = ServerLogging.Create(options, extraLogSink);
        using var bootstrapFactory = new SerilogLoggerFactory(serilog);
        var bootstrap = bootstrapFactory.CreateLogger("Parley.Server");

        var identity = ServerIdentity.LoadOrCreate(options, bootstrap);
        var certificate = TlsCertificateProvider.Load(options, bootstrap);
        var storage = StorageFactory.Create(options);
        await storage.MigrateAsync(cancellationToken);

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = options.FullDataDirectory });
        Serilog.SerilogServiceCollectionExtensions.AddSerilog(builder.Services, serilog, dispose: true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        AddServices(builder.Services, options, identity, certificate, storage);

        var app = builder.Build();
        var server = new ParleyServer(app, Fingerprint.Sha256(certificate.RawData));
        app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(server.CloseAllSessions);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // A port already taken, for one: release the log files and the database before saying so.
            await server.DisposeAsync();
            throw;
        }

        ServerLog.Listening(app.Services.GetRequiredService<ILogger<ParleyServer>>(), server.EndPoint.ToString(), ProtocolConstants.Alpn);
        return server;
    }

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        if (_app is IAsyncDisposable host)
        {
            await host.DisposeAsync();
        }
        else
        {
            _app.Dispose();
        }
    }

    private static void AddServices(IServiceCollection services, ParleyServerOptions options, ServerIdentity identity, X509Certificate2 certificate, IParleyStorage storage)
    {
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(identity);
        services.AddSingleton(_ => new LowPriorityThreads("parley-kex", Environment.ProcessorCount));
        services.AddSingleton(certificate);
        services.AddSingleton(storage);
        services.AddSingleton(storage.Users);
        services.AddSingleton(CommonPasswords.LoadEmbedded());
        services.AddSingleton(sp => new PasswordPolicy(options.PasswordPolicy, sp.GetRequiredService<CommonPasswords>()));
        services.AddSingleton(_ => new PasswordHasher(
            PepperFile.LoadOrCreate(Path.Combine(options.FullDataDirectory, "pepper.key")), options.BcryptCost, options.MaxConcurrentHashes));
        services.AddSingleton(sp => new AccountService(
            sp.GetRequiredService<IUserStore>(), sp.GetRequiredService<PasswordPolicy>(), sp.GetRequiredService<PasswordHasher>(),
            identity.ServerId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new VirtualIpPool(IPAddress.Parse(options.VirtualIpFirst), IPAddress.Parse(options.VirtualIpLast)));
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<MessageRouter>();
        services.AddSingleton<AccountHandler>();
        services.AddSingleton<RequestDispatcher>();
        services.AddSingleton<ParleyConnectionHandler>();
        services.AddSingleton<TlsListener>();
        services.AddHostedService(sp => sp.GetRequiredService<TlsListener>());
    }

    /// <summary>The data directory holds keys and password hashes: only its owner may enter it.</summary>
    private static void CreateDataDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private void CloseAllSessions() => _app.Services.GetRequiredService<SessionRegistry>()
        .CloseAll(new ProtocolError(ErrorCodes.ServerShutdown, "The server is shutting down; reconnect later."));
}
