using System.Text;
using Parley.Protocol.Messages;

namespace Parley.Protocol.Tests.Messages;

public class ClientMessageCodecTests
{
    private static ClientMessage Decode(string json)
    {
        var ok = ClientMessageCodec.TryDecode(Encoding.UTF8.GetBytes(json), out var message, out var error);
        Assert.True(ok, error?.ToString());
        Assert.Null(error);
        return message!;
    }

    private static ProtocolError Refuse(string json) => Refuse(Encoding.UTF8.GetBytes(json));

    private static ProtocolError Refuse(byte[] json)
    {
        var ok = ClientMessageCodec.TryDecode(json, out var message, out var error);
        Assert.False(ok);
        Assert.Null(message);
        return error!;
    }

    [Fact]
    public void TryDecode_AesKey_ReadsKey()
    {
        var message = Assert.IsType<AesKeyMessage>(Decode("""{"type":"aes_key","key":"QUJD"}"""));

        Assert.Equal("QUJD", message.Key);
    }

    [Fact]
    public void TryDecode_Register_ReadsUsernameAndPassword()
    {
        var message = Assert.IsType<RegisterRequest>(Decode("""{"type":"REGISTER","id":"r1","username":"alice","password":"s3cret-pass"}"""));

        Assert.Equal("r1", message.Id);
        Assert.Equal("alice", message.Username);
        Assert.Equal("s3cret-pass", message.Password);
    }

    [Fact]
    public void TryDecode_Login_ReadsUsernameAndPassword()
    {
        var message = Assert.IsType<LoginRequest>(Decode("""{"type":"LOGIN","id":"l1","username":"alice","password":"s3cret-pass"}"""));

        Assert.Equal("l1", message.Id);
        Assert.Equal("alice", message.Username);
        Assert.Equal("s3cret-pass", message.Password);
    }

    [Fact]
    public void TryDecode_OnlineUserRequest_Decodes()
    {
        var message = Assert.IsType<OnlineUsersRequest>(Decode("""{"type":"online_user_request","id":"o1"}"""));

        Assert.Equal("o1", message.Id);
    }

    [Fact]
    public void TryDecode_Message_ReadsToAndPayload()
    {
        var message = Assert.IsType<SendMessageRequest>(Decode("""{"type":"message","id":"m1","to":"bob","payload":"hi \u00e9 \ud83d\ude00"}"""));

        Assert.Equal("m1", message.Id);
        Assert.Equal("bob", message.To);
        Assert.Equal("hi é 😀", message.Payload);
    }

    [Theory]
    [InlineData("""{"type":"message","to":"bob","payload":"hi"}""", null, true)]
    [InlineData("""{"type":"message","to":"bob","payload":"hi","ack":"all"}""", "all", true)]
    [InlineData("""{"type":"message","to":"bob","payload":"hi","ack":"failures"}""", "failures", false)]
    public void TryDecode_Message_ReadsAckAndWhetherADeliveredMessageIsAnswered(string json, string? ack, bool answered)
    {
        var message = Assert.IsType<SendMessageRequest>(Decode(json));

        Assert.Equal(ack, message.Ack);
        Assert.Equal(answered, message.WantsAckForDelivered);
    }

    [Theory]
    [InlineData("""{"type":"message","id":"a","to":"bob","payload":"hi","ack":"none"}""")]
    [InlineData("""{"type":"message","id":"a","to":"bob","payload":"hi","ack":"Failures"}""")]
    [InlineData("""{"type":"message","id":"a","to":"bob","payload":"hi","ack":""}""")]
    public void TryDecode_MessageWithUnknownAckMode_ReportsInvalidFieldNamingTheValuesAndEchoesId(string json)
    {
        var error = Refuse(json);

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Equal("Field 'ack' must be \"all\" or \"failures\".", error.Message);
        Assert.Equal("a", error.RequestId);
    }

    [Fact]
    public void Encode_MessageWithoutAck_LeavesTheFieldOut()
    {
        var json = Encoding.UTF8.GetString(ClientMessageCodec.Encode(new SendMessageRequest { To = "bob", Payload = "hi" }));
        var withAck = Encoding.UTF8.GetString(ClientMessageCodec.Encode(new SendMessageRequest { To = "bob", Payload = "hi", Ack = AckModes.Failures }));

        Assert.DoesNotContain("ack", json, StringComparison.Ordinal);
        Assert.Contains("\"ack\":\"failures\"", withAck, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_Ping_DecodesWithAndWithoutId()
    {
        Assert.Null(Assert.IsType<PingRequest>(Decode("""{"type":"ping"}""")).Id);
        Assert.Equal("p", Assert.IsType<PingRequest>(Decode("""{"type":"ping","id":"p"}""")).Id);
    }

    [Fact]
    public void TryDecode_WithTypeNotFirst_StillDecodes()
    {
        var message = Assert.IsType<SendMessageRequest>(Decode("""{"to":"bob","payload":"hi","id":"m2","type":"message"}"""));

        Assert.Equal("bob", message.To);
        Assert.Equal("m2", message.Id);
    }

    [Fact]
    public void TryDecode_WithWhitespaceAroundTokens_Decodes()
    {
        Assert.IsType<PingRequest>(Decode(" {\n  \"type\" : \"ping\" ,\r\n \"id\" : \"x\" }\n "));
    }

    [Fact]
    public void TryDecode_WithUnknownType_ReportsUnknownTypeAndEchoesId()
    {
        var error = Refuse("""{"type":"group_create","id":"g1","name":"x"}""");

        Assert.Equal(ErrorCodes.UnknownType, error.Code);
        Assert.Equal("g1", error.RequestId);
        Assert.Contains("group_create", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("Message")]
    [InlineData("pong")]
    [InlineData("key_exchange")]
    [InlineData("")]
    public void TryDecode_WithTypeThatIsNotAClientRequest_ReportsUnknownType(string type)
    {
        var error = Refuse($$"""{"type":"{{type}}","id":"u"}""");

        Assert.Equal(ErrorCodes.UnknownType, error.Code);
        Assert.Equal("u", error.RequestId);
    }

    [Fact]
    public void TryDecode_WithVeryLongUnknownType_TruncatesItInTheMessage()
    {
        var error = Refuse($$"""{"type":"{{new string('x', 5000)}}"}""");

        Assert.Equal(ErrorCodes.UnknownType, error.Code);
        Assert.True(error.Message.Length < 100);
    }

    [Fact]
    public void TryDecode_WithoutType_ReportsMissingTypeAndEchoesId()
    {
        var error = Refuse("""{"id":"n1","to":"bob","payload":"hi"}""");

        Assert.Equal(ErrorCodes.MissingField, error.Code);
        Assert.Contains("'type'", error.Message, StringComparison.Ordinal);
        Assert.Equal("n1", error.RequestId);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("{\"type\":\"ping\"")]
    [InlineData("[]")]
    [InlineData("[{\"type\":\"ping\"}]")]
    [InlineData("\"ping\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("{\"type\":\"ping\"} {\"type\":\"ping\"}")]
    [InlineData("{\"type\":\"ping\",}")]
    [InlineData("{\"type\":\"ping\" /* c */}")]
    [InlineData("{'type':'ping'}")]
    [InlineData("\uFEFF{\"type\":\"ping\"}")]
    public void TryDecode_WithSomethingOtherThanOneJsonObject_ReportsBadMessage(string json)
    {
        Assert.Equal(ErrorCodes.BadMessage, Refuse(json).Code);
    }

    [Fact]
    public void TryDecode_WithInvalidUtf8InAField_ReportsInvalidFieldNamingIt()
    {
        byte[] json = [.. "{\"type\":\"message\",\"id\":\"u\",\"to\":\"bob\",\"payload\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var error = Refuse(json);

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'payload'", error.Message, StringComparison.Ordinal);
        Assert.Equal("u", error.RequestId);
    }

    [Fact]
    public void TryDecode_WithLoneSurrogateEscapeInAField_ReportsInvalidFieldNamingIt()
    {
        var error = Refuse("""{"type":"message","id":"u","to":"\udc00bob","payload":"hi"}""");

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'to'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"p\ud800ing","id":"x"}""")]
    [InlineData("""{"type":"ping","id":"\ud800"}""")]
    [InlineData("""{"id":"\udfff","type":"nope"}""")]
    public void TryDecode_WithLoneSurrogateEscapeInTypeOrId_ReportsBadMessageWithoutThrowing(string json)
    {
        Assert.Equal(ErrorCodes.BadMessage, Refuse(json).Code);
    }

    [Fact]
    public void TryDecode_WithInvalidUtf8InId_ReportsBadMessageWithoutThrowing()
    {
        byte[] json = [.. "{\"type\":\"ping\",\"id\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal(ErrorCodes.BadMessage, Refuse(json).Code);
    }

    [Fact]
    public void TryDecode_WithInvalidUtf8InType_ReportsBadMessageWithoutThrowing()
    {
        byte[] json = [.. "{\"type\":\"pi"u8, 0xFF, .. "ng\"}"u8];

        Assert.Equal(ErrorCodes.BadMessage, Refuse(json).Code);
    }

    [Theory]
    [InlineData("""{"type":"message","id":"m","payload":"hi"}""", "to")]
    [InlineData("""{"type":"message","id":"m","to":"bob"}""", "payload")]
    [InlineData("""{"type":"message","id":"m","to":"","payload":"hi"}""", "to")]
    [InlineData("""{"type":"message","id":"m","to":null,"payload":"hi"}""", "to")]
    [InlineData("""{"type":"message","id":"m","to":"bob","payload":""}""", "payload")]
    [InlineData("""{"type":"LOGIN","id":"m","username":"alice"}""", "password")]
    [InlineData("""{"type":"LOGIN","id":"m","password":"pw"}""", "username")]
    [InlineData("""{"type":"LOGIN","id":"m","username":"alice","password":""}""", "password")]
    [InlineData("""{"type":"REGISTER","id":"m","username":"alice"}""", "password")]
    [InlineData("""{"type":"REGISTER","id":"m","username":"","password":"pw"}""", "username")]
    [InlineData("""{"type":"aes_key","id":"m"}""", "key")]
    public void TryDecode_WithRequiredFieldMissingOrEmpty_ReportsMissingFieldNamingItAndEchoesId(string json, string field)
    {
        var error = Refuse(json);

        Assert.Equal(ErrorCodes.MissingField, error.Code);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("m", error.RequestId);
    }

    [Theory]
    [InlineData("""{"type":"message","id":"w","to":5,"payload":"hi"}""", "to")]
    [InlineData("""{"type":"message","id":"w","to":"bob","payload":{"text":"hi"}}""", "payload")]
    [InlineData("""{"type":"message","id":"w","to":["bob"],"payload":"hi"}""", "to")]
    [InlineData("""{"type":"LOGIN","id":"w","username":"alice","password":true}""", "password")]
    [InlineData("""{"type":"REGISTER","id":"w","username":12,"password":"pw"}""", "username")]
    [InlineData("""{"type":"aes_key","id":"w","key":[1,2]}""", "key")]
    [InlineData("""{"to":5,"payload":"hi","id":"w","type":"message"}""", "to")]
    public void TryDecode_WithFieldOfWrongJsonType_ReportsInvalidFieldNamingItAndEchoesId(string json, string field)
    {
        var error = Refuse(json);

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("w", error.RequestId);
    }

    [Theory]
    [InlineData("""{"type":"ping","id":5}""")]
    [InlineData("""{"type":"ping","id":{"a":1}}""")]
    public void TryDecode_WithNonStringId_ReportsInvalidFieldId(string json)
    {
        var error = Refuse(json);

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public void TryDecode_WithNonStringType_ReportsAnErrorWithoutThrowing()
    {
        var error = Refuse("""{"type":5,"id":"t"}""");

        Assert.Contains(error.Code, new[] { ErrorCodes.MissingField, ErrorCodes.InvalidField, ErrorCodes.BadMessage });
    }

    [Fact]
    public void TryDecode_WithIdOf64Characters_Accepts()
    {
        var id = new string('a', 64);

        Assert.Equal(id, Decode($$"""{"type":"ping","id":"{{id}}"}""").Id);
    }

    [Fact]
    public void TryDecode_WithIdLongerThan64Characters_ReportsInvalidFieldWithoutEchoingIt()
    {
        var error = Refuse($$"""{"type":"ping","id":"{{new string('a', 65)}}"}""");

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public void TryDecode_WithOverlongIdOnAnUndecodableMessage_DoesNotEchoIt()
    {
        var error = Refuse($$"""{"type":"nope","id":"{{new string('a', 65)}}"}""");

        Assert.Equal(ErrorCodes.UnknownType, error.Code);
        Assert.Null(error.RequestId);
    }

    [Fact]
    public void TryDecode_WithForgedSenderFields_IgnoresThem()
    {
        var forged = Assert.IsType<SendMessageRequest>(Decode(
            """{"type":"message","id":"f","to":"bob","payload":"hi","from":"admin","from_id":"u-0","from_server":"srv-x","timestamp":"2020-01-01T00:00:00Z","message_id":"m-0"}"""));
        var plain = Assert.IsType<SendMessageRequest>(Decode("""{"type":"message","id":"f","to":"bob","payload":"hi"}"""));

        Assert.Equal(plain, forged);
        Assert.DoesNotContain(typeof(SendMessageRequest).GetProperties(), p => p.Name.StartsWith("From", StringComparison.Ordinal));
    }

    [Fact]
    public void TryDecode_WithUnknownExtraFields_IgnoresThem()
    {
        var message = Assert.IsType<PingRequest>(Decode("""{"type":"ping","id":"e","future":{"nested":[1,2,{"x":null}]},"n":1.5e10}"""));

        Assert.Equal("e", message.Id);
    }

    [Theory]
    [InlineData("""{"type":"ping","id":"d","$id":"1"}""", "$id")]
    [InlineData("""{"type":"message","id":"d","to":"bob","payload":"hi","$type":"x"}""", "$type")]
    [InlineData("""{"$anything":1,"type":"ping","id":"d"}""", "$anything")]
    public void TryDecode_WithDollarPrefixedProperty_RefusesItAsInvalidField(string json, string field)
    {
        // System.Text.Json reserves $-names for metadata; docs/protocol.md §4 reserves them too.
        var error = Refuse(json);

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_WithDuplicateType_RefusesIt()
    {
        var error = Refuse("""{"type":"ping","id":"d","type":"LOGIN"}""");

        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'type'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_WithNestingBeyondMaxDepth_ReportsErrorWithoutThrowing()
    {
        var deep = new string('[', 20) + new string(']', 20);

        var error = Refuse($$"""{"type":"ping","id":"d","extra":{{deep}}}""");

        Assert.Equal(ErrorCodes.BadMessage, error.Code);
    }

    [Fact]
    public void TryDecode_WithPathologicallyDeepNesting_ReportsErrorWithoutThrowing()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000);

        var error = Refuse(deep);

        Assert.Equal(ErrorCodes.BadMessage, error.Code);
    }

    [Fact]
    public void TryDecode_WithNestingOfEightLevels_Decodes()
    {
        // The message object plus seven nested arrays: 8 levels, the documented maximum (docs/protocol.md §4).
        var nested = new string('[', 7) + "1" + new string(']', 7);

        Assert.IsType<PingRequest>(Decode($$"""{"type":"ping","extra":{{nested}}}"""));
    }

    [Fact]
    public void TryDecode_WithNestingOfNineLevels_ReportsBadMessage()
    {
        var nested = new string('[', 8) + "1" + new string(']', 8);

        Assert.Equal(ErrorCodes.BadMessage, Refuse($$"""{"type":"ping","id":"d","extra":{{nested}}}""").Code);
    }

    [Fact]
    public void LoginAndRegister_ToString_NeverContainPassword()
    {
        var login = Decode("""{"type":"LOGIN","id":"l","username":"alice","password":"hunter2-secret"}""");
        var register = Decode("""{"type":"REGISTER","id":"r","username":"alice","password":"hunter2-secret"}""");

        Assert.DoesNotContain("hunter2-secret", login.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", register.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", $"{login} {register}", StringComparison.Ordinal);
        Assert.Contains("alice", login.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SendMessage_ToString_LeavesThePayloadOut()
    {
        var message = Decode("""{"type":"message","id":"m","to":"bob","payload":"private words"}""");

        Assert.DoesNotContain("private words", message.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<ClientMessage> EveryClientMessage() => new()
    {
        new AesKeyMessage { Key = "QUJD" },
        new RegisterRequest { Id = "1", Username = "alice", Password = "pw" },
        new LoginRequest { Id = "2", Username = "alice", Password = "pw" },
        new OnlineUsersRequest { Id = "3" },
        new SendMessageRequest { Id = "4", To = "bob", Payload = "hi" },
        new PingRequest { Id = "5" },
        new PingRequest(),
    };

    [Theory]
    [MemberData(nameof(EveryClientMessage))]
    public void Encode_ThenTryDecode_RoundTrips(ClientMessage message)
    {
        var json = ClientMessageCodec.Encode(message);

        Assert.True(ClientMessageCodec.TryDecode(json, out var decoded, out _));
        Assert.Equal(message, decoded);
    }

    [Theory]
    [MemberData(nameof(EveryClientMessage))]
    public void Encode_PutsTypeFirstAndLeavesOutNullsAndInternalProperties(ClientMessage message)
    {
        var json = Encoding.UTF8.GetString(ClientMessageCodec.Encode(message));

        Assert.StartsWith("{\"type\":\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Encode_Message_UsesSpecFieldNames()
    {
        var json = Encoding.UTF8.GetString(ClientMessageCodec.Encode(new SendMessageRequest { Id = "4", To = "bob", Payload = "hi" }));

        Assert.Equal("""{"type":"message","to":"bob","payload":"hi","id":"4"}""", json);
    }

    [Fact]
    public void ProtocolError_ToReply_CarriesCodeMessageAndId()
    {
        var reply = new ProtocolError(ErrorCodes.MissingField, "Field 'to' is required.", "m1").ToReply();

        Assert.Equal(ErrorCodes.MissingField, reply.Code);
        Assert.Equal("Field 'to' is required.", reply.Message);
        Assert.Equal("m1", reply.Id);
    }
}
