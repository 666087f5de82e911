using System.Buffers.Binary;

namespace Parley.Protocol.Crypto;

/// <summary>
/// Per-frame nonce: the direction's static IV XOR the 64-bit frame counter, right-aligned
/// (the TLS 1.3 record-layer construction, RFC 8446 §5.3).
/// </summary>
internal static class FrameNonce
{
    public static void Compute(ReadOnlySpan<byte> staticIv, ulong counter, Span<byte> nonce)
    {
        staticIv.CopyTo(nonce);
        var tail = nonce[^sizeof(ulong)..];
        var mixed = BinaryPrimitives.ReadUInt64BigEndian(tail) ^ counter;
        BinaryPrimitives.WriteUInt64BigEndian(tail, mixed);
    }
}
