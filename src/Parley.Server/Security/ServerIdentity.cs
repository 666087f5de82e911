using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;
using Parley.Server.Configuration;

namespace Parley.Server.Security;

/// <summary>
/// Who this server is: its stable id, its name, and its long-term RSA-3072 identity key, kept in the data directory.
/// The key_exchange offer never changes while the server runs, so its bytes are encoded once.
/// </summary>
internal sealed class ServerIdentity : IDisposable
{
    public const string IdentityKeyFile = "identity-key.pem";
    public const string ServerIdFile = "server-id";
    private const int IdentityKeyBits = 3072;

    private ServerIdentity(string serverId, string serverName, RSA key)
    {
        ServerId = serverId;
        ServerName = serverName;
        Key = key;
        Offer = ServerHandshake.CreateOffer(key, serverId, serverName);
        OfferBytes = ServerMessageCodec.Encode(Offer);
    }

    public string ServerId { get; }
    public string ServerName { get; }
    public RSA Key { get; }
    public KeyExchangeMessage Offer { get; }
    public byte[] OfferBytes { get; }
    public string Fingerprint => Offer.Fingerprint!;

    public static ServerIdentity LoadOrCreate(ParleyServerOptions options, ILogger logger)
    {
        var directory = options.FullDataDirectory;
        var key = LoadOrCreateKey(Path.Combine(directory, IdentityKeyFile), logger);
        var serverId = string.IsNullOrEmpty(options.ServerId) ? LoadOrCreateServerId(Path.Combine(directory, ServerIdFile)) : options.ServerId;
        var identity = new ServerIdentity(serverId, options.ServerName, key);
        logger.LogInformation("Server {ServerId} ({ServerName}), identity key fingerprint {IdentityFingerprint}",
            identity.ServerId, identity.ServerName, identity.Fingerprint);
        return identity;
    }

    private static RSA LoadOrCreateKey(string path, ILogger logger)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            if (rsa.KeySize < IdentityKeyBits)
            {
                throw new InvalidOperationException($"The identity key in '{path}' has {rsa.KeySize} bits; at least {IdentityKeyBits} are required.");
            }

            return rsa;
        }

        rsa.KeySize = IdentityKeyBits;
        SecretFile.Write(path, rsa.ExportPkcs8PrivateKeyPem());
        logger.LogInformation("Created a {Bits}-bit RSA identity key in {Path}", IdentityKeyBits, path);
        return rsa;
    }

    private static string LoadOrCreateServerId(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length is > 0 and <= 64)
            {
                return existing;
            }

            throw new InvalidOperationException($"'{path}' does not hold a server id; delete it to make a new one.");
        }

        var created = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, created + Environment.NewLine);
        return created;
    }

    public void Dispose() => Key.Dispose();
}
