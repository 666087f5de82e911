using System.Security.Cryptography;
using Parley.Protocol.Messages;

namespace Parley.Protocol.Crypto;

/// <summary>
/// The client's half of the key exchange (docs/protocol.md §3): check the server's key_exchange, wrap a fresh
/// secret under its identity key, and derive the session keys once the aes_key frame is encoded.
/// </summary>
public sealed class ClientHandshake
{
    private readonly byte[] _secret;
    private bool _completed;

    private ClientHandshake(byte[] secret, AesKeyMessage answer)
    {
        _secret = secret;
        Answer = answer;
    }

    /// <summary>The aes_key message to send.</summary>
    public AesKeyMessage Answer { get; }

    /// <summary>
    /// Validates <paramref name="offer"/> and prepares the answer. Throws <see cref="HandshakeException"/>
    /// for a wrong version, a weak key or a fingerprint that does not match the key.
    /// </summary>
    public static ClientHandshake Start(KeyExchangeMessage offer)
    {
        if (offer.Version != ProtocolConstants.Version)
        {
            throw new HandshakeException($"The server speaks protocol version {offer.Version}; this client speaks {ProtocolConstants.Version}.");
        }

        if (string.IsNullOrEmpty(offer.PublicKey) || string.IsNullOrEmpty(offer.ServerId))
        {
            throw new HandshakeException("The server's key_exchange lacks its identity key or server id.");
        }

        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(offer.PublicKey);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new HandshakeException("The server's identity key is not a valid RSA public key.", ex);
        }

        if (rsa.KeySize < ProtocolConstants.MinimumRsaKeyBits)
        {
            throw new HandshakeException($"The server's identity key has {rsa.KeySize} bits; at least {ProtocolConstants.MinimumRsaKeyBits} are required.");
        }

        var actual = Fingerprint.Sha256(rsa.ExportSubjectPublicKeyInfo());
        if (!Fingerprint.AreEqual(actual, offer.Fingerprint))
        {
            throw new HandshakeException("The server's identity fingerprint does not match its key.");
        }

        var secret = RandomNumberGenerator.GetBytes(ProtocolConstants.SessionSecretSize);
        var wrapped = rsa.Encrypt(secret, RSAEncryptionPadding.OaepSHA256);
        return new ClientHandshake(secret, new AesKeyMessage { Key = Convert.ToBase64String(wrapped) });
    }

    /// <summary>
    /// Derives the session keys from the two handshake frame bodies exactly as sent and received. May be called
    /// once: the secret is wiped afterwards, and a second call throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public SessionKeys Complete(ReadOnlySpan<byte> keyExchangeBody, ReadOnlySpan<byte> aesKeyBody)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The handshake is already complete; its secret has been wiped.");
        }

        _completed = true;
        try
        {
            return SessionKeys.Derive(_secret, HandshakeTranscript.Hash(keyExchangeBody, aesKeyBody));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_secret);
        }
    }
}
