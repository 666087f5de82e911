using System.Security.Cryptography;
using Parley.Protocol.Messages;

namespace Parley.Protocol.Crypto;

/// <summary>The server's half of the key exchange (docs/protocol.md §3).</summary>
public static class ServerHandshake
{
    /// <summary>The key_exchange offer for a server identity.</summary>
    public static KeyExchangeMessage CreateOffer(RSA identity, string serverId, string serverName) => new()
    {
        Version = ProtocolConstants.Version,
        ServerId = serverId,
        ServerName = serverName,
        PublicKey = identity.ExportSubjectPublicKeyInfoPem(),
        Fingerprint = Fingerprint.Sha256(identity.ExportSubjectPublicKeyInfo()),
    };

    /// <summary>
    /// Unwraps the client's secret and derives the session keys. Throws <see cref="HandshakeException"/> when the
    /// key is not base64, does not decrypt, or is not exactly 32 bytes.
    /// </summary>
    public static SessionKeys Complete(RSA identity, AesKeyMessage answer, ReadOnlySpan<byte> keyExchangeBody, ReadOnlySpan<byte> aesKeyBody)
    {
        byte[] secret;
        try
        {
            secret = identity.Decrypt(Convert.FromBase64String(answer.Key ?? string.Empty), RSAEncryptionPadding.OaepSHA256);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw new HandshakeException("The aes_key does not decrypt under the server's identity key.", ex);
        }

        try
        {
            if (secret.Length != ProtocolConstants.SessionSecretSize)
            {
                throw new HandshakeException($"The session secret must be {ProtocolConstants.SessionSecretSize} bytes.");
            }

            return SessionKeys.Derive(secret, HandshakeTranscript.Hash(keyExchangeBody, aesKeyBody));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
