using System.Buffers;
using Parley.Protocol.Framing;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Framing;

public class FrameReaderTests
{
    private const int Max = 1024;

    [Fact]
    public void TryRead_WithWholeFrame_ReturnsBodyAndConsumesIt()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Frame([1, 2, 3]));

        var status = FrameReader.TryRead(ref buffer, Max, out var body, out var declared);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(3u, declared);
        Assert.Equal(new byte[] { 1, 2, 3 }, body.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_WithEmptyBuffer_ReportsIncomplete()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Max, out _, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryRead_WithPartialPrefix_ReportsIncompleteAndLeavesBufferUntouched(int prefixBytes)
    {
        var original = new ReadOnlySequence<byte>(Bytes.Frame([9, 9]).AsMemory(0, prefixBytes));
        var buffer = original;

        var status = FrameReader.TryRead(ref buffer, Max, out var body, out var declared);

        Assert.Equal(FrameReadStatus.Incomplete, status);
        Assert.Equal(0u, declared);
        Assert.True(body.IsEmpty);
        Assert.Equal(original.Start, buffer.Start);
        Assert.Equal(original.End, buffer.End);
    }

    [Fact]
    public void TryRead_WithPartialBody_ReportsIncompleteAndLeavesBufferUntouched()
    {
        var wire = Bytes.Frame([1, 2, 3, 4, 5]);
        var original = new ReadOnlySequence<byte>(wire.AsMemory(0, wire.Length - 1));
        var buffer = original;

        var status = FrameReader.TryRead(ref buffer, Max, out var body, out var declared);

        Assert.Equal(FrameReadStatus.Incomplete, status);
        Assert.Equal(5u, declared);
        Assert.True(body.IsEmpty);
        Assert.Equal(original.Start, buffer.Start);
        Assert.Equal(original.End, buffer.End);
    }

    [Fact]
    public void TryRead_WithTwoFramesBackToBack_ReadsThemInOrder()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Concat(Bytes.Frame([1]), Bytes.Frame([2, 2])));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var first, out _));
        Assert.Equal(new byte[] { 1 }, first.ToArray());
        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var second, out _));
        Assert.Equal(new byte[] { 2, 2 }, second.ToArray());
        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Max, out _, out _));
    }

    [Fact]
    public void TryRead_WithFrameFollowedByPartialFrame_LeavesThePartialOneInTheBuffer()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Concat(Bytes.Frame([1]), [0, 0]));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out _, out _));

        Assert.Equal(new byte[] { 0, 0 }, buffer.ToArray());
    }

    [Fact]
    public void TryRead_WithZeroLength_ReportsZeroLength()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Concat(Bytes.BigEndian(0), [1, 2, 3]));

        Assert.Equal(FrameReadStatus.ZeroLength, FrameReader.TryRead(ref buffer, Max, out _, out var declared));
        Assert.Equal(0u, declared);
    }

    [Fact]
    public void TryRead_WithOversizedLength_ReportsTooLargeBeforeBodyArrives()
    {
        // Only the prefix is here: the reader must not wait for 1025 bytes it will refuse anyway.
        var buffer = new ReadOnlySequence<byte>(Bytes.BigEndian(Max + 1));

        Assert.Equal(FrameReadStatus.TooLarge, FrameReader.TryRead(ref buffer, Max, out var body, out var declared));
        Assert.Equal((uint)Max + 1, declared);
        Assert.True(body.IsEmpty);
    }

    [Fact]
    public void TryRead_WithLengthExactlyAtMaximum_AcceptsTheFrame()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Frame(new byte[Max]));

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var body, out _));
        Assert.Equal(Max, body.Length);
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData(0x80000001u)]
    public void TryRead_WithTopBitSetInLength_ReportsTooLargeWithUnsignedLength(uint length)
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.BigEndian(length));

        Assert.Equal(FrameReadStatus.TooLarge, FrameReader.TryRead(ref buffer, int.MaxValue, out _, out var declared));
        Assert.Equal(length, declared);
    }

    [Fact]
    public void TryRead_WithPrefixSplitAcrossSegments_ReadsTheFrame()
    {
        var wire = Bytes.Frame([10, 20, 30]);
        var buffer = Segments.Of(wire[..1], wire[1..3], wire[3..5], wire[5..]);

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var body, out var declared));
        Assert.Equal(3u, declared);
        Assert.Equal(new byte[] { 10, 20, 30 }, body.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_WithBodySpreadOverManySegments_ReturnsTheWholeBody()
    {
        var body = Bytes.Pattern(300);
        var buffer = Segments.Chunked(Bytes.Concat(Bytes.Frame(body), Bytes.Frame([7])), 7);

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var first, out _));
        Assert.False(first.IsSingleSegment);
        Assert.Equal(body, first.ToArray());
        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var second, out _));
        Assert.Equal(new byte[] { 7 }, second.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_WithOversizedPrefixSplitAcrossSegments_ReportsTooLarge()
    {
        var prefix = Bytes.BigEndian(0xFFFFFFFF);
        var buffer = Segments.Of(prefix[..2], prefix[2..]);

        Assert.Equal(FrameReadStatus.TooLarge, FrameReader.TryRead(ref buffer, Max, out _, out var declared));
        Assert.Equal(0xFFFFFFFFu, declared);
    }

    [Fact]
    public void TryRead_WithPartialBodyAcrossSegments_ReportsIncompleteAndLeavesBufferUntouched()
    {
        var wire = Bytes.Frame(Bytes.Pattern(20));
        var original = Segments.Of(wire[..3], wire[3..10], wire[10..^1]);
        var buffer = original;

        Assert.Equal(FrameReadStatus.Incomplete, FrameReader.TryRead(ref buffer, Max, out _, out _));
        Assert.Equal(original.Start, buffer.Start);
        Assert.Equal(original.End, buffer.End);
    }

    [Fact]
    public void TryRead_WithEmptySegmentsInside_ReadsTheFrame()
    {
        var wire = Bytes.Frame([5, 6]);
        var buffer = Segments.Of([], wire[..2], [], wire[2..4], [], wire[4..], []);

        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref buffer, Max, out var body, out _));
        Assert.Equal(new byte[] { 5, 6 }, body.ToArray());
    }
}
