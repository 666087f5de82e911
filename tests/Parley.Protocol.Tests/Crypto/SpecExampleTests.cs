using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Tests.Support;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>
/// The worked example of docs/protocol.md §9, as a test vector: if the code stops producing these bytes, the
/// spec's example (and every implementation checked against it) no longer matches the reference.
/// </summary>
public class SpecExampleTests
{
    // Frame bodies exactly as sent; the JSON escapes (\n, \u002B) are part of the bytes that are hashed.
    private const string KeyExchangeBody = """
{"type":"key_exchange","version":1,"server_id":"5e0c4f7a9b2d4e61a3f8c0d17b6e2a94","server_name":"parley-demo","public_key":"-----BEGIN PUBLIC KEY-----\nMIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEA7nsOZOeUApz774uckn3I\n3ob4U9pUMGI/1lc05KqaUwEoVrH5LnEOaqDr3S8VAO64cWvxFoyKSyICTWeN7fMg\n\u002BFUR577X9Q36ou49B8AzEfjRZ6eGgt3L9oZlfrP21GVkj\u002BjsqK4exaH8idqlzr53\nxbJI9kHZ3z7PE\u002BIOrcAPMvVGUL\u002BOg3xV4rraDe780zY/to6dUOtxTrXuwjM\u002BTiq7\nuO5lEj\u002BHTEY5R5J/Ye1kOcDqE8i63ht5bPDsWv0Do5HhZiM9oTopGq2iseCqAvY/\nkp4ErOVKF\u002BgnqwYRqS/5JAB4i7rfr6gQZzNm7Rbp1SlM0ng3n0xmx9r3T6RS43vZ\nqfVancg7QmEElB3G0q6TF80UB9uQPk3NGBcTzMg45rIQt\u002B97Q0kjwz8QfAK60G5z\nB0fBgKACOqlxBcwDvRoBpI\u002Bpe5LtXHvwh6z9m7f0DWLi0dFzkVtuRjDLD1vp0i4Q\nOMJOarNc8dI\u002BxG9QgvVz\u002BU8jcudlhBIumpo2DpuSGJpDAgMBAAE=\n-----END PUBLIC KEY-----","fingerprint":"02:5A:88:56:A3:B5:EF:23:40:1C:C7:4C:E9:09:90:88:DE:B5:0C:1E:15:48:10:FF:A7:46:E9:77:E0:39:7B:AD"}
""";

    private const string AesKeyBody = """
{"type":"aes_key","key":"06QeIIC0GnKa7iUIZ1fUCclAm0YiIG5g/LqEfmjrXDGEqJfaNGT7TknSQjh2Evsbm6JDgHvb9ZntbEfCjfLZe83t3V2h80juUO6HNBTaueUU\u002BbaKW0T7jPWeDTT3rBy5J0mmyMkQcYUCoROmUVa\u002B81o63DWIbhQTYTOc3dLhF5Iewfv5WYZEkW7JxP0Vhcj6YkFxfQppFZe9pzm\u002BOa3F1HX3/49z6YLjjHjiYYKfCdb/YYh5GcCkWLicnz349/HZPaBfXiCaEXDWTCutGikNRBpyaQrzRoEG2CD8K/pkxoF2OImLr6md17C7IJVcO8MK/lK/EXah/rgRZDhJRZRI7OSoX4rtEMTEuTnQziRJeeXcmYxzcVImFFQjNZ5Wb\u002BPhjm5yXVA6rDzMiT3mTenomd8N5ZJyrd59bKW6Kf1uQerK/PunR0/uk6MBbywm7rmObGHgXXZ3HTobKZcUqU3BLIlXNUVE8LLNVVmPdAuT4EG5lfxbIEbGFXwcq9x6\u002BWPF"}
""";

    // The secret the RSA-OAEP wrap in aes_key carries (recovered with the example's throwaway private key).
    private const string Secret = "B0EB7432355166A2247709FC1B8E774AFA3809D50D0919F7559B4D2AF36894A4";
    private const string TranscriptHash = "73B357F6838AB14F8A47A7C4071A3D3B3003E60F18081510B85179F800DDDF8F";
    private const string C2sKey = "D430D940281AD339E5D35E829A8E1A7C5354D9529EF33B8655D151873AFA0B2C";
    private const string C2sIv = "BC66CC05557AF45CD09D3D01";
    private const string S2cKey = "61589C92C4A4671200C2169FB984AB3208A8B8A40D2B06AC0614A8711F356328";
    private const string S2cIv = "0F94122F44F75598427CE525";

    private const string LoginFrame =
        "0000005BD4BE3D0693CB8579C3DACAAD86E2D06C40B3F8D52901D31F73A7E8A66599BB7D352ED636900AA82BD77CD4F9"
        + "15488566BDAA972939FFEE53595D0CFA531B0EF461D1535070AA3E071C33170E63B153608F9E6A23699A6BC1C5EA70";

    private const string LoginResponseFrame =
        "000000D9C75D664E9A934515D86648D267993F087BD3688A0E750C0267BE70B01A6A38EEA119739E6F13704CAD71EF02"
        + "F409F39C87BD9F18EA10B56DE667E1E77BF17487237660CC872F517619A99274344666D0E64769555D26874326330812"
        + "E85AA6AA70D4D5E093166FE97D68A749843152846D78920D486F3D78BE9C154D399E4FD710DEB36597C395233559D2EC"
        + "1A477B4480D3BE8B54FD86E4FCD6A08F78296C05B7A869CC8ECD14BF441E4457D4B0A47844CA91747E8C0BAE0A194B40"
        + "C9349E0917CE3807C0A377EEC045AFD6E0E939E63818F886C83248E732";

    private const string MessageFrame =
        "0000004A50FA5B9761CB55BBAB805B7CC016921EE16A41E3AF4730D82D539FAE615C5C5EF35D178E2E0F6AD34008772A"
        + "8CF7A1B1FB2AA22A1006A5CA20722EC214ACC404F44504E51FB8BD7B3D0A";

    private const string DeliveryStatusFrame =
        "000000B64E40AFC1886EF1CE23B77237D70E732015828A378EFE268E77BD352995A10F6612B94E4A96FC1DAC191E7B7C"
        + "ECFAC546D360C4FA3367CA01E2F41CADFB8F4FCEDAA606C365A49934A7A21DABF2DBE6F1929AFC7B25436600613F196F"
        + "20EF01D9A9096A38012AEC10660AC535C5D55AD92E95BC746767DD7946F4E51E12E1070931CD3D1F4514B08D94E752FD"
        + "E571FFF039368834C19C17CCBCF7790BC64AF62FF074EE8A2E411833D4BC0F4C0CE795CEEDD3BF0B4D18";

    private const string LoginJson = """
{"type":"LOGIN","username":"alice","password":"Tr0ub4dor\u00263x","id":"1"}
""";

    private const string LoginResponseJson = """
{"type":"login_response","user_id":"0190f3c2-7a41-7b9e-8d2c-5f4e3a2b1c0d","username":"alice","virtual_ip":"10.8.0.3","server_id":"5e0c4f7a9b2d4e61a3f8c0d17b6e2a94","server_name":"parley-demo","id":"1"}
""";

    private const string MessageJson = """
{"type":"message","to":"bob","payload":"Hi Bob!","id":"2"}
""";

    private const string DeliveryStatusJson = """
{"type":"delivery_status","message_id":"0193a5e1-2b7c-7d40-9f1e-6a5b4c3d2e1f","to":"bob","to_id":"0190f3c1-1e2d-7c3b-a4f5-0e1d2c3b4a59","status":"delivered","id":"2"}
""";

    private static SessionKeys Keys() => SessionKeys.Derive(Bytes.Hex(Secret), Bytes.Hex(TranscriptHash));

    [Fact]
    public void Example_BodiesHaveTheDocumentedSizes()
    {
        Assert.Equal(927, Encoding.UTF8.GetByteCount(KeyExchangeBody));
        Assert.Equal(564, Encoding.UTF8.GetByteCount(AesKeyBody));
    }

    [Fact]
    public void Example_TranscriptHashIsSha256OfBothBodies()
    {
        var hash = HandshakeTranscript.Hash(Encoding.UTF8.GetBytes(KeyExchangeBody), Encoding.UTF8.GetBytes(AesKeyBody));

        Assert.Equal(TranscriptHash, Convert.ToHexString(hash));
    }

    [Fact]
    public void Example_KeyExchangeFingerprintMatchesItsKey()
    {
        var json = System.Text.Json.JsonDocument.Parse(KeyExchangeBody).RootElement;
        using var rsa = RSA.Create();
        rsa.ImportFromPem(json.GetProperty("public_key").GetString());

        Assert.Equal(3072, rsa.KeySize);
        Assert.Equal(json.GetProperty("fingerprint").GetString(), Fingerprint.Sha256(rsa.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void Example_DerivesTheDocumentedKeys()
    {
        var keys = Keys();

        Assert.Equal(C2sKey, Convert.ToHexString(keys.ClientToServerKey.Span));
        Assert.Equal(C2sIv, Convert.ToHexString(keys.ClientToServerIv.Span));
        Assert.Equal(S2cKey, Convert.ToHexString(keys.ServerToClientKey.Span));
        Assert.Equal(S2cIv, Convert.ToHexString(keys.ServerToClientIv.Span));
    }

    [Fact]
    public void Example_ClientFramesSealToTheDocumentedBytesAndOpen()
    {
        var keys = Keys();
        using var sealer = keys.CreateClientSealer();
        using var opener = keys.CreateServerOpener();

        AssertFrame(sealer, opener, LoginJson, LoginFrame);
        AssertFrame(sealer, opener, MessageJson, MessageFrame);
    }

    [Fact]
    public void Example_ServerFramesSealToTheDocumentedBytesAndOpen()
    {
        var keys = Keys();
        using var sealer = keys.CreateServerSealer();
        using var opener = keys.CreateClientOpener();

        AssertFrame(sealer, opener, LoginResponseJson, LoginResponseFrame);
        AssertFrame(sealer, opener, DeliveryStatusJson, DeliveryStatusFrame);
    }

    private static void AssertFrame(FrameSealer sealer, FrameOpener opener, string json, string frameHex)
    {
        var plaintext = Encoding.UTF8.GetBytes(json);
        var frame = Bytes.Hex(frameHex);

        Assert.Equal(frameHex, Convert.ToHexString(Bytes.Written(w => sealer.WriteFrame(w, plaintext))));
        var opened = new byte[plaintext.Length];
        Assert.True(opener.TryOpen(frame.AsSpan(4), opened));
        Assert.Equal(json, Encoding.UTF8.GetString(opened));
    }
}
