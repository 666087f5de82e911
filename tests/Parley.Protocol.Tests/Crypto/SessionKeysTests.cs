using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

public class SessionKeysTests
{
    // Known-answer vector for secret = 00 01 .. 1F and transcript hash = A0 A1 .. BF. Computed once with
    // SessionKeys and checked against an HKDF-SHA256 written from RFC 5869 outside .NET: a change to a
    // label, a size or the extract/expand layout breaks interoperability, and this test.
    private const string C2sKey = "4B14C3CF5D06117DEA9D470E63228FF79B49789A51C01F2B6633DCF5D59B1180";
    private const string C2sIv = "709EDD9406A5BABD1641CB13";
    private const string S2cKey = "472D5CA764FDF7F5E8FAA9BA176067185548626BC38E15970B2C3F4896E81BBF";
    private const string S2cIv = "8F689A9CC079CA4FA05567AF";
    private const string Prk = "417E7502C38837C356DC6D3F1C84CFAC0EFEA0E929628CB89CE52F74716620AD";

    // {"type":"ping"} sealed by the client as frames 0 and 1 under the vector's keys.
    private const string PingFrame0 = "0000001FC05F3737604C69023F638719C65F0C8F062AFDCDB4F49060C91CF481F15402";
    private const string PingFrame1 = "0000001FFE8C07D7CAC348B8944271FD84B61E2FE0072B06F629A2EA896B928047A7F5";

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);

    [Fact]
    public void Derive_WithFixedInputs_MatchesKnownAnswer()
    {
        var keys = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);

        Assert.Equal(C2sKey, Hex(keys.ClientToServerKey));
        Assert.Equal(C2sIv, Hex(keys.ClientToServerIv));
        Assert.Equal(S2cKey, Hex(keys.ServerToClientKey));
        Assert.Equal(S2cIv, Hex(keys.ServerToClientIv));
    }

    [Fact]
    public void KnownAnswer_IsHkdfSha256ExtractThenExpandWithTheSpecLabels()
    {
        // Independent of SessionKeys: salt = transcript hash, IKM = secret, info = ASCII label, no terminator.
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, TestSessions.Secret, TestSessions.TranscriptHash);
        string Expand(string label, int size) =>
            Convert.ToHexString(HKDF.Expand(HashAlgorithmName.SHA256, prk, size, Encoding.ASCII.GetBytes(label)));

        Assert.Equal(Prk, Convert.ToHexString(prk));
        Assert.Equal(C2sKey, Expand("parley/1 c2s key", 32));
        Assert.Equal(C2sIv, Expand("parley/1 c2s iv", 12));
        Assert.Equal(S2cKey, Expand("parley/1 s2c key", 32));
        Assert.Equal(S2cIv, Expand("parley/1 s2c iv", 12));
    }

    [Fact]
    public void ClientSealer_WithKnownAnswerKeys_ProducesKnownFrames()
    {
        using var sealer = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash).CreateClientSealer();

        var first = Bytes.Written(w => sealer.WriteFrame(w, "{\"type\":\"ping\"}"u8));
        var second = Bytes.Written(w => sealer.WriteFrame(w, "{\"type\":\"ping\"}"u8));

        Assert.Equal(PingFrame0, Convert.ToHexString(first));
        Assert.Equal(PingFrame1, Convert.ToHexString(second));
    }

    [Fact]
    public void Derive_WithSameInputs_IsDeterministic()
    {
        var a = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);
        var b = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);

        Assert.Equal(Hex(a.ClientToServerKey), Hex(b.ClientToServerKey));
        Assert.Equal(Hex(a.ClientToServerIv), Hex(b.ClientToServerIv));
        Assert.Equal(Hex(a.ServerToClientKey), Hex(b.ServerToClientKey));
        Assert.Equal(Hex(a.ServerToClientIv), Hex(b.ServerToClientIv));
    }

    [Fact]
    public void Derive_WithDifferentTranscriptHash_GivesDifferentKeys()
    {
        var other = (byte[])TestSessions.TranscriptHash.Clone();
        other[^1] ^= 1;

        var a = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);
        var b = SessionKeys.Derive(TestSessions.Secret, other);

        Assert.NotEqual(Hex(a.ClientToServerKey), Hex(b.ClientToServerKey));
        Assert.NotEqual(Hex(a.ClientToServerIv), Hex(b.ClientToServerIv));
        Assert.NotEqual(Hex(a.ServerToClientKey), Hex(b.ServerToClientKey));
        Assert.NotEqual(Hex(a.ServerToClientIv), Hex(b.ServerToClientIv));
    }

    [Fact]
    public void Derive_WithDifferentSecret_GivesDifferentKeys()
    {
        var other = (byte[])TestSessions.Secret.Clone();
        other[0] ^= 1;

        var a = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);
        var b = SessionKeys.Derive(other, TestSessions.TranscriptHash);

        Assert.NotEqual(Hex(a.ClientToServerKey), Hex(b.ClientToServerKey));
        Assert.NotEqual(Hex(a.ServerToClientKey), Hex(b.ServerToClientKey));
        Assert.NotEqual(Hex(a.ClientToServerIv), Hex(b.ClientToServerIv));
        Assert.NotEqual(Hex(a.ServerToClientIv), Hex(b.ServerToClientIv));
    }

    [Fact]
    public void Derive_GivesFourDistinctSecretsOfTheSpecSizes()
    {
        var keys = SessionKeys.Derive(TestSessions.Secret, TestSessions.TranscriptHash);

        Assert.Equal(32, keys.ClientToServerKey.Length);
        Assert.Equal(32, keys.ServerToClientKey.Length);
        Assert.Equal(12, keys.ClientToServerIv.Length);
        Assert.Equal(12, keys.ServerToClientIv.Length);
        Assert.NotEqual(Hex(keys.ClientToServerKey), Hex(keys.ServerToClientKey));
        Assert.NotEqual(Hex(keys.ClientToServerIv), Hex(keys.ServerToClientIv));
        Assert.DoesNotContain(Hex(keys.ClientToServerIv), Hex(keys.ClientToServerKey) + Hex(keys.ServerToClientKey));
        Assert.DoesNotContain(Hex(keys.ServerToClientIv), Hex(keys.ClientToServerKey) + Hex(keys.ServerToClientKey));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Derive_WithSecretOfWrongLength_Throws(int length)
    {
        Assert.Throws<CryptographicException>(() => SessionKeys.Derive(new byte[length], TestSessions.TranscriptHash));
    }

    [Fact]
    public void TranscriptHash_IsSha256OfKeyExchangeBodyThenAesKeyBody()
    {
        var keyExchange = "{\"type\":\"key_exchange\"}"u8.ToArray();
        var aesKey = "{\"type\":\"aes_key\"}"u8.ToArray();

        var hash = HandshakeTranscript.Hash(keyExchange, aesKey);

        Assert.Equal(SHA256.HashData(Bytes.Concat(keyExchange, aesKey)), hash);
        Assert.NotEqual(hash, HandshakeTranscript.Hash(aesKey, keyExchange));
    }
}
