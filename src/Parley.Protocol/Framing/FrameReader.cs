using System.Buffers;

namespace Parley.Protocol.Framing;

/// <summary>
/// Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes (docs/protocol.md §2).
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Tries to take one frame from the front of <paramref name="buffer"/>. On <see cref="FrameReadStatus.Frame"/>
    /// <paramref name="buffer"/> is advanced past it and <paramref name="body"/> slices the original sequence (no copy).
    /// A bad length is reported as soon as the prefix is readable, without waiting for the body.
    /// </summary>
    public static FrameReadStatus TryRead(
        ref ReadOnlySequence<byte> buffer,
        int maxFrameBytes,
        out ReadOnlySequence<byte> body,
        out uint declaredLength)
    {
        body = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadBigEndian(out int signedLength))
        {
            declaredLength = 0;
            return FrameReadStatus.Incomplete;
        }

        declaredLength = unchecked((uint)signedLength);
        if (declaredLength == 0)
        {
            return FrameReadStatus.ZeroLength;
        }

        if (declaredLength > (uint)maxFrameBytes)
        {
            return FrameReadStatus.TooLarge;
        }

        if (reader.Remaining < declaredLength)
        {
            return FrameReadStatus.Incomplete;
        }

        body = buffer.Slice(ProtocolConstants.LengthPrefixSize, declaredLength);
        buffer = buffer.Slice(body.End);
        return FrameReadStatus.Frame;
    }
}
