using System.IO.Pipelines;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Framing;

public class FrameInputTests
{
    private const int MaxFrame = 256 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Inline schedulers make the pipe deterministic: once FlushAsync returns, a read that those bytes
    // complete has completed, so "not yet" can be asserted without sleeping.
    private readonly Pipe _pipe = new(new PipeOptions(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: MaxFrame + ProtocolConstants.LengthPrefixSize,
        resumeWriterThreshold: MaxFrame / 2,
        useSynchronizationContext: false));

    private FrameInput NewInput() => new(_pipe.Reader, MaxFrame);

    private async Task SendAsync(params byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            await _pipe.Writer.WriteAsync(chunk).AsTask().WaitAsync(Timeout);
        }
    }

    private static Task<InboundFrame> ReadAsync(FrameInput input) => input.ReadAsync().AsTask().WaitAsync(Timeout);

    [Fact]
    public async Task ReadAsync_WithPlainFrame_ReturnsItsBody()
    {
        var input = NewInput();
        await SendAsync(Bytes.Frame("{\"type\":\"key_exchange\"}"u8.ToArray()));

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.Frame, frame.Status);
        Assert.Equal("{\"type\":\"key_exchange\"}"u8.ToArray(), frame.Payload.ToArray());
        Assert.Equal((uint)frame.Payload.Length, frame.DeclaredLength);
    }

    [Fact]
    public async Task ReadAsync_WithTwoFramesInOneWrite_ReturnsThemOneByOne()
    {
        var input = NewInput();
        await SendAsync(Bytes.Concat(Bytes.Frame([1]), Bytes.Frame([2, 3])));

        using var first = await ReadAsync(input);
        using var second = await ReadAsync(input);

        Assert.Equal(new byte[] { 1 }, first.Payload.ToArray());
        Assert.Equal(new byte[] { 2, 3 }, second.Payload.ToArray());
    }

    [Fact]
    public async Task ReadAsync_WithFrameSplitAcrossWrites_CompletesOnlyWhenTheLastByteArrives()
    {
        var input = NewInput();
        var wire = Bytes.Frame(Bytes.Pattern(10));
        var pending = input.ReadAsync().AsTask();

        foreach (var b in wire[..^1])
        {
            await SendAsync([b]);
            Assert.False(pending.IsCompleted);
        }

        await SendAsync(wire[^1..]);
        using var frame = await pending.WaitAsync(Timeout);

        Assert.Equal(InboundFrameStatus.Frame, frame.Status);
        Assert.Equal(Bytes.Pattern(10), frame.Payload.ToArray());
    }

    [Fact]
    public async Task ReadAsync_PayloadStaysValidAfterLaterBytesArrive()
    {
        var input = NewInput();
        await SendAsync(Bytes.Frame(Bytes.Pattern(100, seed: 1)));
        using var frame = await ReadAsync(input);

        await SendAsync(Bytes.Frame(Bytes.Pattern(100, seed: 2)));
        using var next = await ReadAsync(input);

        Assert.Equal(Bytes.Pattern(100, seed: 1), frame.Payload.ToArray());
        Assert.Equal(Bytes.Pattern(100, seed: 2), next.Payload.ToArray());
    }

    [Fact]
    public async Task ReadAsync_WhenPeerClosesBetweenFrames_ReportsEndOfStream()
    {
        var input = NewInput();
        await SendAsync(Bytes.Frame([1]));
        await _pipe.Writer.CompleteAsync();

        using var frame = await ReadAsync(input);
        using var end = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.Frame, frame.Status);
        Assert.Equal(InboundFrameStatus.EndOfStream, end.Status);
        Assert.True(end.Payload.IsEmpty);
    }

    [Fact]
    public async Task ReadAsync_WhenPeerClosesBeforeAnyByte_ReportsEndOfStream()
    {
        var input = NewInput();
        await _pipe.Writer.CompleteAsync();

        using var end = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.EndOfStream, end.Status);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public async Task ReadAsync_WhenPeerClosesInsideAFrame_ReportsTruncated(int bytesSent)
    {
        var input = NewInput();
        await SendAsync(Bytes.Frame(Bytes.Pattern(5))[..bytesSent]);
        await _pipe.Writer.CompleteAsync();

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.Truncated, frame.Status);
    }

    [Fact]
    public async Task ReadAsync_WhenPeerClosesInsideSecondFrame_ReturnsFirstThenTruncated()
    {
        var input = NewInput();
        await SendAsync(Bytes.Concat(Bytes.Frame([1]), [0, 0, 0]));
        await _pipe.Writer.CompleteAsync();

        using var frame = await ReadAsync(input);
        using var truncated = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.Frame, frame.Status);
        Assert.Equal(InboundFrameStatus.Truncated, truncated.Status);
    }

    [Fact]
    public async Task ReadAsync_WithZeroLength_ReportsZeroLength()
    {
        var input = NewInput();
        await SendAsync(Bytes.BigEndian(0));

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.ZeroLength, frame.Status);
    }

    [Fact]
    public async Task ReadAsync_WithOversizedLength_ReportsTooLargeBeforeBodyArrives()
    {
        var input = NewInput();
        await SendAsync(Bytes.BigEndian(MaxFrame + 1));

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.TooLarge, frame.Status);
        Assert.Equal((uint)MaxFrame + 1, frame.DeclaredLength);
    }

    [Fact]
    public async Task ReadAsync_WithTopBitSetInLength_ReportsTooLarge()
    {
        var input = NewInput();
        await SendAsync([0xFF, 0xFF], [0xFF, 0xFF]);

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.TooLarge, frame.Status);
        Assert.Equal(0xFFFFFFFFu, frame.DeclaredLength);
    }

    [Fact]
    public async Task ReadAsync_WithOpenerSet_OpensSealedFrames()
    {
        var keys = TestSessions.Keys();
        using var sealer = keys.CreateClientSealer();
        var input = NewInput();

        await SendAsync(Bytes.Frame("{\"type\":\"aes_key\"}"u8.ToArray()));
        using var handshake = await ReadAsync(input);
        input.Opener = keys.CreateServerOpener();
        sealer.WriteFrame(_pipe.Writer, "{\"type\":\"ping\"}"u8);
        sealer.WriteFrame(_pipe.Writer, "{\"type\":\"online_user_request\"}"u8);
        await _pipe.Writer.FlushAsync();

        using var first = await ReadAsync(input);
        using var second = await ReadAsync(input);

        Assert.Equal("{\"type\":\"aes_key\"}"u8.ToArray(), handshake.Payload.ToArray());
        Assert.Equal(InboundFrameStatus.Frame, first.Status);
        Assert.Equal("{\"type\":\"ping\"}"u8.ToArray(), first.Payload.ToArray());
        Assert.Equal((uint)FrameSealer.SealedFrameSize(first.Payload.Length) - 4, first.DeclaredLength);
        Assert.Equal("{\"type\":\"online_user_request\"}"u8.ToArray(), second.Payload.ToArray());
    }

    [Fact]
    public async Task ReadAsync_WithOpenerSet_RejectsAPlainFrameAsDecryptFailed()
    {
        var input = NewInput();
        input.Opener = TestSessions.Keys().CreateServerOpener();
        await SendAsync(Bytes.Frame("{\"type\":\"ping\",\"id\":\"forged-plaintext\"}"u8.ToArray()));

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.DecryptFailed, frame.Status);
        Assert.True(frame.Payload.IsEmpty);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task ReadAsync_WithOpenerSet_RejectsABodyNoLongerThanTheTag(int bodyLength)
    {
        var input = NewInput();
        input.Opener = TestSessions.Keys().CreateServerOpener();
        await SendAsync(Bytes.Frame(new byte[bodyLength]));

        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.DecryptFailed, frame.Status);
    }

    [Fact]
    public async Task ReadAsync_WithTamperedSealedByte_ReportsDecryptFailed()
    {
        var keys = TestSessions.Keys();
        using var sealer = keys.CreateClientSealer();
        var input = NewInput();
        input.Opener = keys.CreateServerOpener();
        var wire = Bytes.Written(w => sealer.WriteFrame(w, "{\"type\":\"ping\"}"u8));
        wire[6] ^= 0x01;

        await SendAsync(wire);
        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.DecryptFailed, frame.Status);
    }

    [Fact]
    public async Task ReadAsync_WithLargeSealedFrameWrittenInSmallChunks_DecryptsAcrossSegments()
    {
        var keys = TestSessions.Keys();
        using var sealer = keys.CreateClientSealer();
        var input = NewInput();
        input.Opener = keys.CreateServerOpener();
        var payload = Bytes.Pattern(200 * 1024, seed: 7);
        var wire = Bytes.Written(w =>
        {
            sealer.WriteFrame(w, payload);
            sealer.WriteFrame(w, "{\"type\":\"ping\"}"u8);
        });
        var pending = input.ReadAsync().AsTask();

        // 1000-byte writes land in many pipe segments, so the body is not one contiguous span.
        await SendAsync(wire.Chunk(1000).ToArray());
        using var large = await pending.WaitAsync(Timeout);
        using var next = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.Frame, large.Status);
        Assert.Equal(payload, large.Payload.ToArray());
        Assert.Equal(InboundFrameStatus.Frame, next.Status);
        Assert.Equal("{\"type\":\"ping\"}"u8.ToArray(), next.Payload.ToArray());
    }

    [Fact]
    public async Task ReadAsync_WithTamperedByteInMultiSegmentSealedFrame_ReportsDecryptFailed()
    {
        var keys = TestSessions.Keys();
        using var sealer = keys.CreateClientSealer();
        var input = NewInput();
        input.Opener = keys.CreateServerOpener();
        var wire = Bytes.Written(w => sealer.WriteFrame(w, Bytes.Pattern(50 * 1024)));
        wire[30 * 1024] ^= 0x80;

        await SendAsync(wire.Chunk(1000).ToArray());
        using var frame = await ReadAsync(input);

        Assert.Equal(InboundFrameStatus.DecryptFailed, frame.Status);
    }

    [Fact]
    public async Task ReadAsync_WithCanceledToken_Throws()
    {
        var input = NewInput();
        using var cts = new CancellationTokenSource();
        var pending = input.ReadAsync(cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Timeout));
    }

    [Fact]
    public void Constructor_WithMaximumNotAboveTagSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameInput(_pipe.Reader, FrameSealer.TagSize));
    }
}
