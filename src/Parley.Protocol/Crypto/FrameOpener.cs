using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// Opens incoming sealed frames of one direction (docs/protocol.md §3.4). The expected counter is implicit:
/// a tampered, replayed, reordered or dropped frame fails authentication, and the caller must end the connection.
/// Not thread-safe: one reader owns it.
/// </summary>
public sealed class FrameOpener : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _iv;
    private ulong _counter;
    private long _bytesOpened;

    public FrameOpener(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (iv.Length != SessionKeys.IvSize)
        {
            throw new ArgumentException($"The IV must be {SessionKeys.IvSize} bytes.", nameof(iv));
        }

        _aes = new AesGcm(key, FrameSealer.TagSize);
        _iv = iv.ToArray();
    }

    /// <summary>Plaintext size of a sealed body, or -1 when the body is too short to be one.</summary>
    public static int PlaintextSize(int sealedBodyLength) =>
        sealedBodyLength > FrameSealer.TagSize ? sealedBodyLength - FrameSealer.TagSize : -1;

    /// <summary>
    /// Authenticates and decrypts one frame body (ciphertext followed by tag) into <paramref name="plaintext"/>,
    /// which must be exactly <see cref="PlaintextSize"/> bytes. Returns false when the frame is not authentic.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> sealedBody, Span<byte> plaintext)
    {
        var size = PlaintextSize(sealedBody.Length);
        if (size < 0 || plaintext.Length != size)
        {
            return false;
        }

        // Spent only once the frame authenticates: a failed open leaves the opener exactly as it was.
        var bytesOpened = _bytesOpened + size;
        if (bytesOpened > SealingLimits.MaxBytesPerKey || _counter == ulong.MaxValue)
        {
            throw new SealingLimitReachedException();
        }

        Span<byte> prefix = stackalloc byte[ProtocolConstants.LengthPrefixSize];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)sealedBody.Length);
        Span<byte> nonce = stackalloc byte[SessionKeys.IvSize];
        FrameNonce.Compute(_iv, _counter, nonce);
        try
        {
            _aes.Decrypt(nonce, sealedBody[..size], sealedBody[size..], plaintext, prefix);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        _bytesOpened = bytesOpened;
        _counter++;
        return true;
    }

    public void Dispose() => _aes.Dispose();
}
