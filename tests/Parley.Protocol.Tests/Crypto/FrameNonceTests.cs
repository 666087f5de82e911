using Parley.Protocol.Crypto;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

public class FrameNonceTests
{
    private static readonly byte[] Iv = Bytes.Hex("000102030405060708090A0B");

    private static byte[] Nonce(ulong counter, byte[]? iv = null)
    {
        var nonce = new byte[SessionKeys.IvSize];
        FrameNonce.Compute(iv ?? Iv, counter, nonce);
        return nonce;
    }

    [Fact]
    public void Compute_WithCounterZero_ReturnsTheStaticIv()
    {
        Assert.Equal(Iv, Nonce(0));
    }

    [Fact]
    public void Compute_WithCounterOne_FlipsTheLowestBitOfTheLastByte()
    {
        Assert.Equal(Bytes.Hex("000102030405060708090A0A"), Nonce(1));
    }

    [Fact]
    public void Compute_XorsCounterBigEndianIntoTheLastEightBytes()
    {
        var nonce = Nonce(0x0102030405060708);

        // First four bytes are the IV's; bytes 4..11 are IV XOR 01 02 03 04 05 06 07 08.
        Assert.Equal(Bytes.Hex("00010203" + "05070503" + "0D0F0D03"), nonce);
    }

    [Fact]
    public void Compute_WithMaximumCounter_InvertsTheLastEightBytesOnly()
    {
        var zeroIv = new byte[12];

        Assert.Equal(Bytes.Hex("00000000FFFFFFFFFFFFFFFF"), Nonce(ulong.MaxValue, zeroIv));
    }

    [Fact]
    public void Compute_GivesADifferentNonceForEveryCounterValue()
    {
        var seen = new HashSet<string>();
        for (ulong counter = 0; counter < 5000; counter++)
        {
            Assert.True(seen.Add(Convert.ToHexString(Nonce(counter))));
        }

        Assert.True(seen.Add(Convert.ToHexString(Nonce(1ul << 32))));
        Assert.True(seen.Add(Convert.ToHexString(Nonce(1ul << 63))));
    }

    [Fact]
    public void Compute_LeavesTheStaticIvUnchanged()
    {
        var iv = (byte[])Iv.Clone();

        FrameNonce.Compute(iv, 12345, new byte[12]);

        Assert.Equal(Iv, iv);
    }
}
