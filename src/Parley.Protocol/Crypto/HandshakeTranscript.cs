using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// The HKDF salt: SHA-256 over the exact bodies of the two handshake frames, key_exchange then aes_key
/// (docs/protocol.md §3.3). Binding the keys to the transcript means a changed handshake yields different keys.
/// </summary>
public static class HandshakeTranscript
{
    public static byte[] Hash(ReadOnlySpan<byte> keyExchangeBody, ReadOnlySpan<byte> aesKeyBody)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(keyExchangeBody);
        hash.AppendData(aesKeyBody);
        return hash.GetHashAndReset();
    }
}
