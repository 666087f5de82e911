using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Protocol.Framing;

/// <summary>Writes length-prefixed frames (docs/protocol.md §2).</summary>
public static class FrameWriter
{
    /// <summary>Writes one plain (unsealed) frame: used only for the handshake messages.</summary>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new ArgumentException("A frame body cannot be empty.", nameof(body));
        }

        var span = writer.GetSpan(ProtocolConstants.LengthPrefixSize + body.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)body.Length);
        body.CopyTo(span[ProtocolConstants.LengthPrefixSize..]);
        writer.Advance(ProtocolConstants.LengthPrefixSize + body.Length);
    }
}
