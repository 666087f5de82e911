using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Protocol.Tests.Support;

internal static class Bytes
{
    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] BigEndian(uint value)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, value);
        return prefix;
    }

    /// <summary>A plain frame as it appears on the wire: 4-byte big-endian length, then the body.</summary>
    public static byte[] Frame(byte[] body) => Concat(BigEndian((uint)body.Length), body);

    public static byte[] Pattern(int length, int seed = 0)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = unchecked((byte)(i * 31 + seed));
        }

        return bytes;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
