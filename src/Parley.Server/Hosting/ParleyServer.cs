using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
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
/// A running Parley server: Kestrel with TLS and the Parley connection handler on one endpoint, and everything
/// behind it. The executable and the integration tests both start servers through here.
/// </summary>
public sealed class ParleyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listener;

    private ParleyServer(WebApplication app, ListenOptions listener, string certificateFingerprint)
    {
        _app = app;
        _listener = listener;
        CertificateFingerprint = certificateFingerprint;
    }

    /// <summary>Where the server listens; with port 0 configured, the port the OS chose.</summary>
    public IPEndPoint EndPoint => _listener.IPEndPoint!;

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

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.FullDataDirectory });
        Serilog.SerilogServiceCollectionExtensions.AddSerilog(builder.Services, serilog, dispose: true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        AddServices(builder.Services, options, identity, certificate, storage);

        ListenOptions? listener = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.Bind), options.Port, listen =>
            {
                listener = listen;
                listen.Use(ConnectionTimestamp.Middleware);
                listen.UseHttps(TlsOptions(certificate, options));
                var transportLogger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.Server.Transport");
                listen.Use(AeadOnly.Middleware(transportLogger));
                listen.Use(TlsBufferRelease.Middleware(transportLogger));
                listen.UseConnectionHandler<ParleyConnectionHandler>();
            });
        });

        var app = builder.Build();
        var server = new ParleyServer(app, listener!, Fingerprint.Sha256(certificate.RawData));
        app.Lifetime.ApplicationStopping.Register(server.CloseAllSessions);
        await app.StartAsync(cancellationToken);
        ServerLog.Listening(app.Services.GetRequiredService<ILogger<ParleyServer>>(), server.EndPoint.ToString(), ProtocolConstants.Alpn);
        return server;
    }

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
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

    /// <summary>TLS 1.2 or 1.3, ALPN parley/1 (docs/protocol.md §1); AEAD suites only, enforced by Transport/AeadOnly.</summary>
    private static HttpsConnectionAdapterOptions TlsOptions(X509Certificate2 certificate, ParleyServerOptions options) => new()
    {
        ServerCertificate = certificate,
        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        HandshakeTimeout = options.HandshakeTimeout,
        ClientCertificateMode = ClientCertificateMode.NoCertificate,
        // No CipherSuitesPolicy: it costs an OpenSSL context per connection; Transport/AeadOnly refuses non-AEAD suites.
        OnAuthenticate = (_, ssl) => ssl.ApplicationProtocols = [new SslApplicationProtocol(ProtocolConstants.Alpn)],
    };

    private void CloseAllSessions()
    {
        var shutdown = new ProtocolError(ErrorCodes.ServerShutdown, "The server is shutting down; reconnect later.");
        foreach (var session in _app.Services.GetRequiredService<SessionRegistry>().AllSessions)
        {
            session.CloseWithError(shutdown);
        }
    }
}
