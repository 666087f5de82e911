using System.Security.Cryptography;
using System.Text;

namespace Parley.Protocol.Crypto;

/// <summary>
/// The four secrets of one session, derived with HKDF-SHA256 from the client's random secret and salted with
/// the handshake transcript hash (docs/protocol.md §3.3). Each direction has its own key and static IV,
/// so the two directions never share a nonce space.
/// </summary>
public sealed class SessionKeys
{
    public const int KeySize = 32;
    public const int IvSize = 12;

    private static readonly byte[] ClientKeyLabel = Encoding.ASCII.GetBytes("parley/1 c2s key");
    private static readonly byte[] ClientIvLabel = Encoding.ASCII.GetBytes("parley/1 c2s iv");
    private static readonly byte[] ServerKeyLabel = Encoding.ASCII.GetBytes("parley/1 s2c key");
    private static readonly byte[] ServerIvLabel = Encoding.ASCII.GetBytes("parley/1 s2c iv");

    private SessionKeys(byte[] c2sKey, byte[] c2sIv, byte[] s2cKey, byte[] s2cIv)
    {
        ClientToServerKey = c2sKey;
        ClientToServerIv = c2sIv;
        ServerToClientKey = s2cKey;
        ServerToClientIv = s2cIv;
    }

    public ReadOnlyMemory<byte> ClientToServerKey { get; }
    public ReadOnlyMemory<byte> ClientToServerIv { get; }
    public ReadOnlyMemory<byte> ServerToClientKey { get; }
    public ReadOnlyMemory<byte> ServerToClientIv { get; }

    /// <summary>Derives the session's keys. <paramref name="secret"/> must be <see cref="ProtocolConstants.SessionSecretSize"/> bytes.</summary>
    public static SessionKeys Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> transcriptHash)
    {
        if (secret.Length != ProtocolConstants.SessionSecretSize)
        {
            throw new CryptographicException($"The session secret must be {ProtocolConstants.SessionSecretSize} bytes.");
        }

        Span<byte> prk = stackalloc byte[SHA256.HashSizeInBytes];
        HKDF.Extract(HashAlgorithmName.SHA256, secret, transcriptHash, prk);
        try
        {
            return new SessionKeys(
                Expand(prk, ClientKeyLabel, KeySize),
                Expand(prk, ClientIvLabel, IvSize),
                Expand(prk, ServerKeyLabel, KeySize),
                Expand(prk, ServerIvLabel, IvSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    /// <summary>The client's sealer for what it sends.</summary>
    public FrameSealer CreateClientSealer() => new(ClientToServerKey.Span, ClientToServerIv.Span);

    /// <summary>The client's opener for what the server sends.</summary>
    public FrameOpener CreateClientOpener() => new(ServerToClientKey.Span, ServerToClientIv.Span);

    /// <summary>The server's sealer for what it sends.</summary>
    public FrameSealer CreateServerSealer() => new(ServerToClientKey.Span, ServerToClientIv.Span);

    /// <summary>The server's opener for what the client sends.</summary>
    public FrameOpener CreateServerOpener() => new(ClientToServerKey.Span, ClientToServerIv.Span);

    private static byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, int length)
    {
        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        return output;
    }
}
