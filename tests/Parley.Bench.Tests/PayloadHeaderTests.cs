using System.Text;
using Parley.Bench.Metrics;

namespace Parley.Bench.Tests;

public sealed class PayloadHeaderTests
{
    [Theory]
    [InlineData(0, 0L, 0L)]
    [InlineData(1, 2L, 3L)]
    [InlineData(9_999, 123_456_789L, 987_654_321_012_345L)]
    [InlineData(PayloadHeader.MaxSender, PayloadHeader.MaxSequence, long.MaxValue)]
    [InlineData(17, 5L, -42L)]
    public void WriteThenRead_RoundTrips(int sender, long sequence, long timestamp)
    {
        var buffer = PayloadHeader.CreateBuffer(256);
        PayloadHeader.Write(buffer, sender, sequence, timestamp);

        Assert.True(PayloadHeader.TryRead(buffer, out var readSender, out var readSequence, out var readTimestamp));
        Assert.Equal((sender, sequence, timestamp), (readSender, readSequence, readTimestamp));
    }

    [Fact]
    public void CreateBuffer_IsExactlyTheSize_AsPrintableAscii_ThatSurvivesAStringRoundTrip()
    {
        var buffer = PayloadHeader.CreateBuffer(64);
        PayloadHeader.Write(buffer, 3, 4, 5);

        Assert.Equal(64, buffer.Length);
        Assert.All(buffer, b => Assert.InRange(b, (byte)0x21, (byte)0x7E));

        // Parley carries the payload as a JSON string: bytes → string → bytes must be the identity.
        var text = Encoding.ASCII.GetString(buffer);
        Assert.Equal(buffer, Encoding.ASCII.GetBytes(text));
        Assert.True(PayloadHeader.TryRead(Encoding.ASCII.GetBytes(text), out var sender, out _, out _));
        Assert.Equal(3, sender);
    }

    [Fact]
    public void CreateBuffer_SmallerThanTheHeader_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PayloadHeader.CreateBuffer(PayloadHeader.Length - 1));

    [Fact]
    public void TryRead_TooShort_OrNotHex_ReturnsFalse()
    {
        Assert.False(PayloadHeader.TryRead(new byte[PayloadHeader.Length - 1], out _, out _, out _));
        var buffer = PayloadHeader.CreateBuffer(40);
        PayloadHeader.Write(buffer, 1, 1, 1);
        buffer[5] = (byte)'g';
        Assert.False(PayloadHeader.TryRead(buffer, out _, out _, out _));
        buffer[5] = (byte)'A';
        Assert.False(PayloadHeader.TryRead(buffer, out _, out _, out _));
    }

    [Fact]
    public void Write_OutOfRange_Throws()
    {
        var buffer = PayloadHeader.CreateBuffer(32);
        Assert.Throws<ArgumentOutOfRangeException>(() => PayloadHeader.Write(buffer, PayloadHeader.MaxSender + 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PayloadHeader.Write(buffer, 0, PayloadHeader.MaxSequence + 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PayloadHeader.Write(buffer, -1, 0, 0));
    }
}
