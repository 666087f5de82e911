using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Configuration;
using Parley.Server.Security;

namespace Parley.Server.Tests.Handlers;

/// <summary>One server identity per test class: making an RSA-3072 key costs too much to do per test.</summary>
public sealed class ServerIdentityFixture : IDisposable
{
    public const string ServerId = "test-server";
    public const string ServerName = "Test Server";

    private readonly TempDirectory _directory = new();

    public ServerIdentityFixture()
    {
        Identity = ServerIdentity.LoadOrCreate(
            new ParleyServerOptions { DataDirectory = _directory.Path, ServerId = ServerId, ServerName = ServerName },
            NullLogger.Instance);
    }

    internal ServerIdentity Identity { get; }

    public void Dispose()
    {
        Identity.Dispose();
        _directory.Dispose();
    }
}
