using System.Buffers;
using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

public sealed class SealingTests : IDisposable
{
    private readonly SessionKeys _keys = TestSessions.Keys();
    private readonly FrameSealer _clientSealer;
    private readonly FrameOpener _serverOpener;

    public SealingTests()
    {
        _clientSealer = _keys.CreateClientSealer();
        _serverOpener = _keys.CreateServerOpener();
    }

    public void Dispose()
    {
        _clientSealer.Dispose();
        _serverOpener.Dispose();
    }

    private byte[] Seal(FrameSealer sealer, ReadOnlySpan<byte> plaintext)
    {
        var copy = plaintext.ToArray();
        return Bytes.Written(w => sealer.WriteFrame(w, copy));
    }

    private byte[] Seal(ReadOnlySpan<byte> plaintext) => Seal(_clientSealer, plaintext);

    /// <summary>Frames the wire bytes as a receiver would, then opens the body.</summary>
    private static bool TryOpenWire(FrameOpener opener, byte[] wire, out byte[] plaintext)
    {
        plaintext = [];
        var buffer = new ReadOnlySequence<byte>(wire);
        if (FrameReader.TryRead(ref buffer, ProtocolConstants.DefaultMaxFrameBytes, out var body, out _) != FrameReadStatus.Frame)
        {
            return false;
        }

        var size = FrameOpener.PlaintextSize((int)body.Length);
        if (size < 0)
        {
            return false;
        }

        var output = new byte[size];
        if (!opener.TryOpen(body.ToArray(), output))
        {
            return false;
        }

        plaintext = output;
        return true;
    }

    private bool TryOpen(byte[] wire, out byte[] plaintext) => TryOpenWire(_serverOpener, wire, out plaintext);

    [Fact]
    public void SealThenOpen_RoundTripsManyFramesInOrder()
    {
        for (var i = 0; i < 100; i++)
        {
            var plaintext = Bytes.Pattern(1 + i * 13, seed: i);

            Assert.True(TryOpen(Seal(plaintext), out var opened));
            Assert.Equal(plaintext, opened);
        }
    }

    [Fact]
    public void SealThenOpen_WorksInTheServerToClientDirection()
    {
        using var serverSealer = _keys.CreateServerSealer();
        using var clientOpener = _keys.CreateClientOpener();

        Assert.True(TryOpenWire(clientOpener, Seal(serverSealer, "{\"type\":\"pong\"}"u8), out var opened));
        Assert.Equal("{\"type\":\"pong\"}"u8.ToArray(), opened);
    }

    [Fact]
    public void SealFrame_WritesPrefixOfPlaintextPlusTagThenCiphertextThenTag()
    {
        var plaintext = "{\"type\":\"ping\"}"u8.ToArray();

        var wire = Seal(plaintext);

        Assert.Equal(FrameSealer.SealedFrameSize(plaintext.Length), wire.Length);
        Assert.Equal(4 + plaintext.Length + 16, wire.Length);
        Assert.Equal((uint)(plaintext.Length + 16), BinaryPrimitives.ReadUInt32BigEndian(wire));
        Assert.NotEqual(plaintext, wire[4..^16]);
    }

    [Fact]
    public void SealFrame_MatchesAesGcmWithTheLengthPrefixAsAad()
    {
        // An independent decryption with AesGcm pins the layout: nonce = IV for frame 0, AAD = the 4 prefix bytes.
        var plaintext = "{\"type\":\"ping\"}"u8.ToArray();
        var wire = Seal(plaintext);
        using var aes = new AesGcm(_keys.ClientToServerKey.Span, 16);
        var output = new byte[plaintext.Length];

        aes.Decrypt(_keys.ClientToServerIv.Span, wire.AsSpan(4..^16), wire.AsSpan(^16..), output, wire.AsSpan(..4));

        Assert.Equal(plaintext, output);
        Assert.Throws<AuthenticationTagMismatchException>(
            () => aes.Decrypt(_keys.ClientToServerIv.Span, wire.AsSpan(4..^16), wire.AsSpan(^16..), output, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void SealFrame_ReturnsBytesWrittenAndAdvancesTheCounter()
    {
        var destination = new byte[64];

        var written = _clientSealer.SealFrame([1, 2, 3], destination);

        Assert.Equal(4 + 3 + 16, written);
        Assert.Equal(1ul, _clientSealer.FramesSealed);
    }

    [Fact]
    public void SealFrame_SamePlaintextTwice_GivesDifferentCiphertexts()
    {
        var first = Seal("same"u8);
        var second = Seal("same"u8);

        Assert.NotEqual(first[4..], second[4..]);
    }

    [Fact]
    public void SealFrame_WithEmptyPlaintext_Throws()
    {
        Assert.Throws<ArgumentException>(() => _clientSealer.SealFrame(ReadOnlySpan<byte>.Empty, new byte[64]));
        Assert.Equal(0ul, _clientSealer.FramesSealed);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(20)]
    public void TryOpen_WithTamperedCiphertextByte_Fails(int index)
    {
        var wire = Seal("{\"type\":\"message\",\"to\":\"bob\",\"payload\":\"hi\"}"u8);
        wire[index] ^= 0x01;

        Assert.False(TryOpen(wire, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    public void TryOpen_WithTamperedTagByte_Fails(int fromEnd)
    {
        var wire = Seal("{\"type\":\"ping\"}"u8);
        wire[^fromEnd] ^= 0x40;

        Assert.False(TryOpen(wire, out _));
    }

    [Fact]
    public void TryOpen_WithLengthPrefixShortened_Fails()
    {
        var wire = Seal("{\"type\":\"ping\"}"u8);
        var declared = BinaryPrimitives.ReadUInt32BigEndian(wire);
        BinaryPrimitives.WriteUInt32BigEndian(wire, declared - 1);

        Assert.False(TryOpen(wire[..^1], out _));
    }

    [Fact]
    public void TryOpen_WithLengthPrefixLengthenedAndByteAppended_Fails()
    {
        var wire = Seal("{\"type\":\"ping\"}"u8);
        var declared = BinaryPrimitives.ReadUInt32BigEndian(wire);
        BinaryPrimitives.WriteUInt32BigEndian(wire, declared + 1);

        Assert.False(TryOpen(Bytes.Concat(wire, [0]), out _));
    }

    [Fact]
    public void TryOpen_WithDifferentAad_Fails()
    {
        // The opener authenticates the prefix it is implicitly given (the body length): a frame sealed by
        // hand under the right key and nonce but with other AAD must not open.
        var plaintext = "{\"type\":\"ping\"}"u8.ToArray();
        using var aes = new AesGcm(_keys.ClientToServerKey.Span, 16);
        var body = new byte[plaintext.Length + 16];
        aes.Encrypt(_keys.ClientToServerIv.Span, plaintext, body.AsSpan(0, plaintext.Length), body.AsSpan(plaintext.Length), [0, 0, 0, 0]);

        Assert.False(_serverOpener.TryOpen(body, new byte[plaintext.Length]));
    }

    [Fact]
    public void TryOpen_WithReplayedFrame_Fails()
    {
        var wire = Seal("{\"type\":\"ping\"}"u8);

        Assert.True(TryOpen(wire, out _));
        Assert.False(TryOpen(wire, out _));
    }

    [Fact]
    public void TryOpen_WithReorderedFrames_Fails()
    {
        var first = Seal("first"u8);
        var second = Seal("second"u8);

        Assert.False(TryOpen(second, out _));
        Assert.True(TryOpen(first, out _));
        Assert.True(TryOpen(second, out _));
    }

    [Fact]
    public void TryOpen_AfterADroppedFrame_FailsOnTheNextOne()
    {
        _ = Seal("dropped"u8);
        var next = Seal("next"u8);

        Assert.False(TryOpen(next, out _));
    }

    [Fact]
    public void TryOpen_WithFrameSealedUnderTheOtherDirectionsKey_Fails()
    {
        using var serverSealer = _keys.CreateServerSealer();

        Assert.False(TryOpen(Seal(serverSealer, "{\"type\":\"ping\"}"u8), out _));
    }

    [Fact]
    public void TryOpen_WithFrameFromAnotherSession_Fails()
    {
        var otherKeys = SessionKeys.Derive(TestSessions.Secret, new byte[32]);
        using var otherSealer = otherKeys.CreateClientSealer();

        Assert.False(TryOpen(Seal(otherSealer, "{\"type\":\"ping\"}"u8), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    public void TryOpen_WithBodyNoLongerThanTag_Fails(int length)
    {
        Assert.Equal(-1, FrameOpener.PlaintextSize(length));
        Assert.False(_serverOpener.TryOpen(new byte[length], []));
    }

    [Fact]
    public void TryOpen_WithWrongPlaintextBufferSize_FailsWithoutAdvancing()
    {
        var wire = Seal("abc"u8);

        Assert.False(_serverOpener.TryOpen(wire.AsSpan(4..), new byte[2]));
        Assert.True(TryOpen(wire, out var opened));
        Assert.Equal("abc"u8.ToArray(), opened);
    }

    [Fact]
    public void TryOpen_AfterAFailedOpen_StillExpectsTheSameCounter()
    {
        var first = Seal("first"u8);
        var second = Seal("second"u8);
        var tampered = (byte[])first.Clone();
        tampered[5] ^= 0xFF;

        Assert.False(TryOpen(tampered, out _));
        Assert.True(TryOpen(first, out var one));
        Assert.True(TryOpen(second, out var two));
        Assert.Equal("first"u8.ToArray(), one);
        Assert.Equal("second"u8.ToArray(), two);
    }

    [Fact]
    public void TryOpen_WhenAuthenticationFails_ZeroesThePlaintextBuffer()
    {
        var wire = Seal(Bytes.Pattern(40, seed: 3));
        wire[^1] ^= 1;
        var output = Enumerable.Repeat((byte)0xEE, 40).ToArray();

        Assert.False(_serverOpener.TryOpen(wire.AsSpan(4..), output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void SealFrame_WhenKeyReachesSealingLimit_Throws()
    {
        // Sealing 64 GiB in a test is not practical: start the sealer just short of its budget.
        SetField(_clientSealer, "_bytesSealed", SealingLimits.MaxBytesPerKey - 3);

        _clientSealer.SealFrame([1, 2, 3], new byte[64]);
        Assert.Throws<SealingLimitReachedException>(() => _clientSealer.SealFrame([4], new byte[64]));
    }

    [Fact]
    public void TryOpen_WhenKeyReachesSealingLimit_Throws()
    {
        var first = Seal([1, 2, 3]);
        var second = Seal([4]);
        SetField(_serverOpener, "_bytesOpened", SealingLimits.MaxBytesPerKey - 3);

        Assert.True(TryOpen(first, out _));
        Assert.Throws<SealingLimitReachedException>(() => TryOpen(second, out _));
    }

    [Fact]
    public void TryOpen_FailedOpensDoNotSpendTheKeysBudget()
    {
        var genuine = Seal([1, 2, 3]);
        var forged = (byte[])genuine.Clone();
        forged[^1] ^= 1;
        SetField(_serverOpener, "_bytesOpened", SealingLimits.MaxBytesPerKey - 3);

        Assert.False(TryOpen(forged, out _));
        Assert.False(TryOpen(forged, out _));
        Assert.True(TryOpen(genuine, out var opened));
        Assert.Equal(new byte[] { 1, 2, 3 }, opened);
    }

    [Fact]
    public void Constructors_WithWrongIvSize_Throw()
    {
        var key = new byte[32];

        Assert.Throws<ArgumentException>(() => new FrameSealer(key, new byte[8]));
        Assert.Throws<ArgumentException>(() => new FrameOpener(key, new byte[16]));
    }

    private static void SetField(object target, string name, long value) =>
        target.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(target, value);
}
