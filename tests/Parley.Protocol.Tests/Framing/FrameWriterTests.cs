using System.Buffers;
using Parley.Protocol.Framing;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Framing;

public class FrameWriterTests
{
    [Fact]
    public void Write_PutsBigEndianLengthBeforeBody()
    {
        var wire = Bytes.Written(w => FrameWriter.Write(w, [0xAA, 0xBB, 0xCC]));

        Assert.Equal(new byte[] { 0, 0, 0, 3, 0xAA, 0xBB, 0xCC }, wire);
    }

    [Fact]
    public void Write_WithLongBody_EncodesAllFourLengthBytes()
    {
        var body = Bytes.Pattern(0x010203);

        var wire = Bytes.Written(w => FrameWriter.Write(w, body));

        Assert.Equal(new byte[] { 0x00, 0x01, 0x02, 0x03 }, wire[..4]);
        Assert.Equal(body, wire[4..]);
    }

    [Fact]
    public void Write_ThenTryRead_RoundTripsSeveralFrames()
    {
        byte[][] bodies = [[1], Bytes.Pattern(500), "{\"type\":\"ping\"}"u8.ToArray()];
        var wire = Bytes.Written(w =>
        {
            foreach (var body in bodies)
            {
                FrameWriter.Write(w, body);
            }
        });

        var buffer = Segments.Chunked(wire, 3);
        foreach (var expected in bodies)
        {
            Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, 1024, out var body, out _));
            Assert.Equal(expected, body.ToArray());
        }

        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Write_WithEmptyBody_ThrowsAndWritesNothing()
    {
        var writer = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => FrameWriter.Write(writer, ReadOnlySpan<byte>.Empty));
        Assert.Equal(0, writer.WrittenCount);
    }
}
