using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// Seals outgoing frames of one direction with AES-256-GCM (docs/protocol.md §3.4). Every call uses the next
/// counter value, so no nonce repeats under the key. Not thread-safe: one writer owns it.
/// </summary>
public sealed class FrameSealer : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _iv;
    private ulong _counter;
    private long _bytesSealed;

    public FrameSealer(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (iv.Length != SessionKeys.IvSize)
        {
            throw new ArgumentException($"The IV must be {SessionKeys.IvSize} bytes.", nameof(iv));
        }

        _aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
        _iv = iv.ToArray();
    }

    /// <summary>Bytes of AEAD overhead in each sealed frame body.</summary>
    public const int TagSize = 16;

    /// <summary>Frames sealed so far (also the counter of the next frame).</summary>
    public ulong FramesSealed => _counter;

    /// <summary>Whole size on the wire of a frame carrying <paramref name="plaintextLength"/> bytes.</summary>
    public static int SealedFrameSize(int plaintextLength) => ProtocolConstants.LengthPrefixSize + plaintextLength + TagSize;

    /// <summary>Seals <paramref name="plaintext"/> as one frame directly into <paramref name="writer"/>.</summary>
    public void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> plaintext)
    {
        var size = SealedFrameSize(plaintext.Length);
        SealFrame(plaintext, writer.GetSpan(size));
        writer.Advance(size);
    }

    /// <summary>Writes length prefix, ciphertext and tag into <paramref name="destination"/>; returns the bytes written.</summary>
    public int SealFrame(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (plaintext.IsEmpty)
        {
            throw new ArgumentException("A sealed frame must carry at least one byte.", nameof(plaintext));
        }

        _bytesSealed += plaintext.Length;
        if (_bytesSealed > SealingLimits.MaxBytesPerKey || _counter == ulong.MaxValue)
        {
            throw new SealingLimitReachedException();
        }

        var size = SealedFrameSize(plaintext.Length);
        var frame = destination[..size];
        var prefix = frame[..ProtocolConstants.LengthPrefixSize];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)(plaintext.Length + TagSize));

        Span<byte> nonce = stackalloc byte[SessionKeys.IvSize];
        FrameNonce.Compute(_iv, _counter, nonce);
        var ciphertext = frame.Slice(ProtocolConstants.LengthPrefixSize, plaintext.Length);
        var tag = frame[^TagSize..];
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, prefix);
        _counter++;
        return size;
    }

    public void Dispose() => _aes.Dispose();
}
