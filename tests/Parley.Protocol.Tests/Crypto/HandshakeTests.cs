using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>RSA keys are slow to generate: once per test class.</summary>
public sealed class HandshakeKeys : IDisposable
{
    public RSA Server { get; } = RSA.Create(3072);

    public RSA Other { get; } = RSA.Create(3072);

    public RSA Weak { get; } = RSA.Create(2048);

    public void Dispose()
    {
        Server.Dispose();
        Other.Dispose();
        Weak.Dispose();
    }
}

public sealed class HandshakeTests(HandshakeKeys keys) : IClassFixture<HandshakeKeys>
{
    private const string ServerId = "srv-test-1";

    private KeyExchangeMessage Offer() => ServerHandshake.CreateOffer(keys.Server, ServerId, "Parley Test");

    /// <summary>Runs the whole exchange through the codecs, as the bytes would travel.</summary>
    private (SessionKeys Client, SessionKeys Server) Run(Func<byte[], byte[]>? serverSeesKeyExchange = null)
    {
        var keyExchangeBody = ServerMessageCodec.Encode(Offer());
        Assert.True(ServerMessageCodec.TryDecode(keyExchangeBody, out var received));
        var client = ClientHandshake.Start(Assert.IsType<KeyExchangeMessage>(received));
        var aesKeyBody = ClientMessageCodec.Encode(client.Answer);
        var clientKeys = client.Complete(keyExchangeBody, aesKeyBody);

        Assert.True(ClientMessageCodec.TryDecode(aesKeyBody, out var answer, out _));
        var serverBody = serverSeesKeyExchange?.Invoke(keyExchangeBody) ?? keyExchangeBody;
        var serverKeys = ServerHandshake.Complete(keys.Server, Assert.IsType<AesKeyMessage>(answer), serverBody, aesKeyBody);
        return (clientKeys, serverKeys);
    }

    private static bool Interoperates(FrameSealer sealer, FrameOpener opener)
    {
        var plaintext = "{\"type\":\"ping\",\"id\":\"1\"}"u8.ToArray();
        var wire = Bytes.Written(w => sealer.WriteFrame(w, plaintext));
        var output = new byte[plaintext.Length];
        return opener.TryOpen(wire.AsSpan(4), output) && output.AsSpan().SequenceEqual(plaintext);
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);

    private static AesKeyMessage Wrap(RSA key, byte[] secret, RSAEncryptionPadding? padding = null) =>
        new() { Key = Convert.ToBase64String(key.Encrypt(secret, padding ?? RSAEncryptionPadding.OaepSHA256)) };

    [Fact]
    public void Handshake_ClientSealsServerOpens()
    {
        var (client, server) = Run();
        using var sealer = client.CreateClientSealer();
        using var opener = server.CreateServerOpener();

        Assert.True(Interoperates(sealer, opener));
    }

    [Fact]
    public void Handshake_ServerSealsClientOpens()
    {
        var (client, server) = Run();
        using var sealer = server.CreateServerSealer();
        using var opener = client.CreateClientOpener();

        Assert.True(Interoperates(sealer, opener));
    }

    [Fact]
    public void Handshake_BothSidesDeriveIdenticalKeys()
    {
        var (client, server) = Run();

        Assert.Equal(Hex(client.ClientToServerKey), Hex(server.ClientToServerKey));
        Assert.Equal(Hex(client.ClientToServerIv), Hex(server.ClientToServerIv));
        Assert.Equal(Hex(client.ServerToClientKey), Hex(server.ServerToClientKey));
        Assert.Equal(Hex(client.ServerToClientIv), Hex(server.ServerToClientIv));
    }

    [Fact]
    public void Handshake_TwoConnections_GetDifferentKeys()
    {
        var first = Run().Client;
        var second = Run().Client;

        Assert.NotEqual(Hex(first.ClientToServerKey), Hex(second.ClientToServerKey));
        Assert.NotEqual(Hex(first.ServerToClientKey), Hex(second.ServerToClientKey));
    }

    [Fact]
    public void Handshake_WhenServerDerivesWithADifferentKeyExchangeBody_KeysDoNotInteroperate()
    {
        // Same secret, but the server hashes a key_exchange the client never saw (e.g. one rewritten in transit).
        var (client, server) = Run(body => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("Parley Test", "Parley Evil", StringComparison.Ordinal)));
        using var clientSealer = client.CreateClientSealer();
        using var serverOpener = server.CreateServerOpener();
        using var serverSealer = server.CreateServerSealer();
        using var clientOpener = client.CreateClientOpener();

        Assert.False(Interoperates(clientSealer, serverOpener));
        Assert.False(Interoperates(serverSealer, clientOpener));
    }

    [Fact]
    public void Handshake_WhenAesKeyBodyDiffersByOneByte_KeysDoNotInteroperate()
    {
        var keyExchangeBody = ServerMessageCodec.Encode(Offer());
        var client = ClientHandshake.Start(Offer());
        var aesKeyBody = ClientMessageCodec.Encode(client.Answer);
        var clientKeys = client.Complete(keyExchangeBody, aesKeyBody);
        var respaced = Bytes.Concat(aesKeyBody, " "u8.ToArray());

        var serverKeys = ServerHandshake.Complete(keys.Server, client.Answer, keyExchangeBody, respaced);

        Assert.NotEqual(Hex(clientKeys.ClientToServerKey), Hex(serverKeys.ClientToServerKey));
    }

    [Fact]
    public void CreateOffer_CarriesVersionIdentityAndMatchingFingerprint()
    {
        var offer = Offer();

        Assert.Equal(1, offer.Version);
        Assert.Equal(ServerId, offer.ServerId);
        Assert.Equal("Parley Test", offer.ServerName);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", offer.PublicKey, StringComparison.Ordinal);
        Assert.Equal(Fingerprint.Sha256(keys.Server.ExportSubjectPublicKeyInfo()), offer.Fingerprint);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(keys.Server.ExportSubjectPublicKeyInfo())), offer.Fingerprint!.Replace(":", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_WrapsA32ByteSecretWithOaepSha256UnderTheServerKey()
    {
        var client = ClientHandshake.Start(Offer());

        var secret = keys.Server.Decrypt(Convert.FromBase64String(client.Answer.Key!), RSAEncryptionPadding.OaepSHA256);

        Assert.Equal(32, secret.Length);
    }

    [Fact]
    public void Start_AcceptsFingerprintInAnyAcceptedSpelling()
    {
        var offer = Offer();
        var spelled = offer with { Fingerprint = "sha256:" + offer.Fingerprint!.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant() };

        var client = ClientHandshake.Start(spelled);

        Assert.NotNull(client.Answer.Key);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Start_WithWrongVersion_Throws(int version)
    {
        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(Offer() with { Version = version }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Start_WithMissingPublicKey_Throws(string? publicKey)
    {
        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(Offer() with { PublicKey = publicKey }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Start_WithMissingServerId_Throws(string? serverId)
    {
        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(Offer() with { ServerId = serverId }));
    }

    [Theory]
    [InlineData("not a pem at all")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")]
    public void Start_WithUnreadablePublicKey_Throws(string publicKey)
    {
        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(Offer() with { PublicKey = publicKey }));
    }

    [Fact]
    public void Start_WithTwoKeysInOnePem_Throws()
    {
        var offer = Offer();
        var doubled = offer with { PublicKey = offer.PublicKey + "\n" + keys.Other.ExportSubjectPublicKeyInfoPem() };

        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(doubled));
    }

    [Fact]
    public void Start_WithNonRsaPublicKey_Throws()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var offer = Offer() with
        {
            PublicKey = ec.ExportSubjectPublicKeyInfoPem(),
            Fingerprint = Fingerprint.Sha256(ec.ExportSubjectPublicKeyInfo()),
        };

        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(offer));
    }

    [Fact]
    public void Start_With2048BitKey_Throws()
    {
        var offer = ServerHandshake.CreateOffer(keys.Weak, ServerId, "Weak");

        var ex = Assert.Throws<HandshakeException>(() => ClientHandshake.Start(offer));
        Assert.Contains("2048", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithFingerprintOfAnotherKey_Throws()
    {
        var offer = Offer() with { Fingerprint = Fingerprint.Sha256(keys.Other.ExportSubjectPublicKeyInfo()) };

        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(offer));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AB:CD")]
    public void Start_WithMissingOrMalformedFingerprint_Throws(string? fingerprint)
    {
        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(Offer() with { Fingerprint = fingerprint }));
    }

    [Fact]
    public void Start_WithKeyOfAnotherServerUnderThisFingerprint_Throws()
    {
        var offer = Offer() with { PublicKey = keys.Other.ExportSubjectPublicKeyInfoPem() };

        Assert.Throws<HandshakeException>(() => ClientHandshake.Start(offer));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!!")]
    [InlineData("AAAA")]
    public void ServerComplete_WithAesKeyThatIsNotAWrappedSecret_Throws(string? key)
    {
        Assert.Throws<HandshakeException>(() => ServerHandshake.Complete(keys.Server, new AesKeyMessage { Key = key }, [1], [2]));
    }

    [Fact]
    public void ServerComplete_WithSecretWrappedUnderAnotherKey_Throws()
    {
        var answer = Wrap(keys.Other, RandomNumberGenerator.GetBytes(32));

        Assert.Throws<HandshakeException>(() => ServerHandshake.Complete(keys.Server, answer, [1], [2]));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void ServerComplete_WithWrappedSecretOfWrongLength_Throws(int length)
    {
        var answer = Wrap(keys.Server, RandomNumberGenerator.GetBytes(length));

        Assert.Throws<HandshakeException>(() => ServerHandshake.Complete(keys.Server, answer, [1], [2]));
    }

    [Fact]
    public void ServerComplete_WithSecretWrappedUnderOtherPadding_Throws()
    {
        var secret = RandomNumberGenerator.GetBytes(32);

        Assert.Throws<HandshakeException>(() => ServerHandshake.Complete(keys.Server, Wrap(keys.Server, secret, RSAEncryptionPadding.Pkcs1), [1], [2]));
        Assert.Throws<HandshakeException>(() => ServerHandshake.Complete(keys.Server, Wrap(keys.Server, secret, RSAEncryptionPadding.OaepSHA1), [1], [2]));
    }

    [Fact]
    public void ServerComplete_WithSecretWrappedByHand_DerivesFromThatSecretAndTranscript()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        byte[] keyExchangeBody = [1, 2, 3];
        byte[] aesKeyBody = [4, 5, 6];

        var derived = ServerHandshake.Complete(keys.Server, Wrap(keys.Server, secret), keyExchangeBody, aesKeyBody);
        var expected = SessionKeys.Derive(secret, HandshakeTranscript.Hash(keyExchangeBody, aesKeyBody));

        Assert.Equal(Hex(expected.ClientToServerKey), Hex(derived.ClientToServerKey));
        Assert.Equal(Hex(expected.ServerToClientIv), Hex(derived.ServerToClientIv));
    }

    [Fact]
    public void ClientComplete_CalledTwice_Throws()
    {
        // The secret is wiped after the first derivation; a second call must not derive from zeros.
        var client = ClientHandshake.Start(Offer());
        client.Complete([1], [2]);

        Assert.Throws<InvalidOperationException>(() => client.Complete([1], [2]));
    }
}
