using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Targets.Parley;

/// <summary>What <c>--spawn</c> starts parley-server with.</summary>
internal sealed record ParleySpawnSettings(
    string? ServerDll,
    int BcryptCost,
    int OutboundQueue,
    string? Cpus,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> ExtraArguments);

/// <summary>
/// A parley-server started for one run: a fresh data directory under the temp folder, loopback only, low bcrypt
/// cost, log level Warning (so logging costs nothing under load). Its certificate's fingerprint is computed from
/// DATA/tls-cert.pem, which exists once the server listens. Disposing stops it and deletes the directory.
/// </summary>
internal sealed class SpawnedParleyServer : IAsyncDisposable
{
    private SpawnedParleyServer(ServerProcess process, string dataDirectory, IPEndPoint endpoint, string fingerprint, int bcryptCost)
    {
        Process = process;
        DataDirectory = dataDirectory;
        EndPoint = endpoint;
        Fingerprint = fingerprint;
        BcryptCost = bcryptCost;
    }

    public ServerProcess Process { get; }

    public string DataDirectory { get; }

    public IPEndPoint EndPoint { get; }

    public string Fingerprint { get; }

    public int BcryptCost { get; }

    public static async Task<SpawnedParleyServer> StartAsync(ParleySpawnSettings settings, CancellationToken cancellationToken)
    {
        var dll = ServerLocator.Find(settings.ServerDll);
        var data = Directory.CreateTempSubdirectory("parley-bench-").FullName;
        var endpoint = new IPEndPoint(IPAddress.Loopback, ServerProcess.FreePort(IPAddress.Loopback));
        List<string> command =
        [
            "dotnet", dll,
            "--data", data,
            "--bind", endpoint.Address.ToString(),
            "--port", endpoint.Port.ToString(CultureInfo.InvariantCulture),
            "--bcrypt-cost", settings.BcryptCost.ToString(CultureInfo.InvariantCulture),
            "--outbound-queue", settings.OutboundQueue.ToString(CultureInfo.InvariantCulture),
            "--log-level", "Warning",
            .. settings.ExtraArguments,
        ];
        ServerProcess? process = null;
        try
        {
            process = ServerProcess.Start(command, settings.Cpus, settings.Environment, "parley-server");
            await process.WaitUntilListeningAsync(endpoint, TimeSpan.FromSeconds(60), cancellationToken);
            var fingerprint = ReadFingerprint(Path.Combine(data, "tls-cert.pem"));
            return new SpawnedParleyServer(process, data, endpoint, fingerprint, settings.BcryptCost);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            TryDelete(data);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        TryDelete(DataDirectory);
    }

    private static string ReadFingerprint(string certificatePath)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            return global::Parley.Protocol.Crypto.Fingerprint.Sha256(certificate.RawData);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException)
        {
            throw new BenchTargetException($"parley-server listens but its certificate {certificatePath} could not be read: {ex.Message}", ex);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// Finds parley-server.dll without building anything: <c>--server-dll</c>, else <c>server/parley-server.dll</c> beside
/// parley-bench.dll (the bench project copies the server's build output there), else the server project's own
/// Release and Debug output in the source tree.
/// </summary>
internal static class ServerLocator
{
    public const string FileName = "parley-server.dll";

    public static IEnumerable<string> Candidates(string baseDirectory)
    {
        yield return Path.Combine(baseDirectory, "server", FileName);
        yield return Path.Combine(baseDirectory, FileName);
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            yield return Path.GetFullPath(Path.Combine(baseDirectory, "../../../../../src/Parley.Server/bin", configuration, "net10.0", FileName));
        }
    }

    public static string Find(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new BenchTargetException($"--server-dll {explicitPath} does not exist");
        }

        var candidates = Candidates(AppContext.BaseDirectory).ToList();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new BenchTargetException($"{FileName} not found (looked in {string.Join(", ", candidates)}); build bench/Parley.Bench or pass --server-dll");
    }
}
