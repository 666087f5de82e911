using System.Text;
using System.Text.Json;
using Parley.Protocol.Messages;

namespace Parley.Protocol.Tests.Messages;

public class ServerMessageCodecTests
{
    public static TheoryData<ServerMessage> EveryServerMessage()
    {
        var data = new TheoryData<ServerMessage>();
        foreach (var message in ServerSamples.All())
        {
            data.Add(message);
        }

        return data;
    }

    private static string Json(ServerMessage message) => Encoding.UTF8.GetString(ServerMessageCodec.Encode(message));

    private static ServerMessage Decode(string json)
    {
        Assert.True(ServerMessageCodec.TryDecode(Encoding.UTF8.GetBytes(json), out var message));
        return message!;
    }

    [Theory]
    [MemberData(nameof(EveryServerMessage))]
    public void Encode_ThenTryDecode_RoundTripsEveryType(ServerMessage message)
    {
        var bytes = ServerMessageCodec.Encode(message);

        Assert.True(ServerMessageCodec.TryDecode(bytes, out var decoded));
        Assert.IsType(message.GetType(), decoded);
        Assert.Equal(bytes, ServerMessageCodec.Encode(decoded!));
        if (message is not OnlineUsersResponse)
        {
            Assert.Equal(message, decoded);
        }
    }

    [Theory]
    [MemberData(nameof(EveryServerMessage))]
    public void Encode_PutsTheTypeDiscriminatorFirst(ServerMessage message)
    {
        Assert.StartsWith("{\"type\":\"", Json(message), StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_WritesBmpTextAndHtmlCharactersAsUtf8_AndEscapesControlCharactersAndEmoji()
    {
        var message = new PongReply { Id = "<€😀&+>\u0001" };

        var json = Encoding.UTF8.GetString(ServerMessageCodec.Encode(message));

        Assert.Equal("""{"type":"pong","id":"<€\uD83D\uDE00&+>\u0001"}""", json);
    }

    [Fact]
    public void Encode_KeyExchange_UsesSnakeCaseFields()
    {
        Assert.Equal(
            "{\"type\":\"key_exchange\",\"version\":1,\"server_id\":\"srv-1\",\"server_name\":\"Parley One\"," +
            "\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----\",\"fingerprint\":\"AB:CD\"}",
            Json(ServerSamples.All().OfType<KeyExchangeMessage>().Single()));
    }

    [Fact]
    public void Encode_LoginResponse_UsesSnakeCaseFields()
    {
        Assert.Equal(
            """{"type":"login_response","user_id":"u-1","username":"alice","virtual_ip":"10.8.0.2","server_id":"srv-1","server_name":"Parley One","id":"l1"}""",
            Json(ServerSamples.All().OfType<LoginResponse>().Single()));
    }

    [Fact]
    public void Encode_ChatMessage_UsesSnakeCaseFieldsAndIso8601Timestamp()
    {
        Assert.Equal(
            """{"type":"message","message_id":"m-1","from":"alice","from_id":"u-1","from_server":"srv-1","to":"bob","to_id":"u-2","payload":"hi","timestamp":"2025-03-14T15:09:26.535+00:00"}""",
            Json(ServerSamples.All().OfType<ChatMessage>().Single()));
    }

    [Fact]
    public void Encode_OnlineUsersResponse_NestsSnakeCaseUsers()
    {
        var json = Json(ServerSamples.All().OfType<OnlineUsersResponse>().Single());

        Assert.StartsWith("""{"type":"online_user_response","users":[{"user_id":"u-1","username":"alice","virtual_ip":"10.8.0.2","server_id":"srv-1"},""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_UserStatusAndDeliveryStatus_UseSnakeCaseFields()
    {
        Assert.Equal(
            """{"type":"user_status","user_id":"u-2","username":"bob","status":"online","virtual_ip":"10.8.0.3","server_id":"srv-1"}""",
            Json(ServerSamples.All().OfType<UserStatusEvent>().Single()));
        Assert.Equal(
            """{"type":"delivery_status","message_id":"m-1","to":"bob","to_id":"u-2","status":"delivered","id":"s1"}""",
            Json(ServerSamples.All().OfType<DeliveryStatusReply>().Single()));
    }

    [Fact]
    public void Encode_RegisterResponsePongAndError_UseSpecFields()
    {
        Assert.Equal(
            """{"type":"register_response","user_id":"u-1","username":"alice","server_id":"srv-1","id":"r1"}""",
            Json(ServerSamples.All().OfType<RegisterResponse>().Single()));
        Assert.Equal("""{"type":"pong","id":"p1"}""", Json(new PongReply { Id = "p1" }));

        using var error = JsonDocument.Parse(Json(new ErrorReply { Id = "e1", Code = ErrorCodes.TooLarge, Message = "Frame too large." }));
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
        Assert.Equal("too_large", error.RootElement.GetProperty("code").GetString());
        Assert.Equal("Frame too large.", error.RootElement.GetProperty("message").GetString());
        Assert.Equal("e1", error.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void Encode_OmitsNullFields()
    {
        Assert.Equal(
            """{"type":"delivery_status","to":"carol","status":"unknown_user"}""",
            Json(new DeliveryStatusReply { To = "carol", Status = DeliveryStates.UnknownUser }));
        Assert.Equal("""{"type":"pong"}""", Json(new PongReply()));
        Assert.DoesNotContain("null", Json(new ErrorReply { Code = ErrorCodes.ServerShutdown, Message = "Bye." }), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_WithUnknownType_ReturnsFalse()
    {
        Assert.False(ServerMessageCodec.TryDecode("""{"type":"group_invite","group":"g"}"""u8, out var message));
        Assert.Null(message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"id":"x"}""")]
    [InlineData("""{"type":"pong","id":5}""")]
    [InlineData("""{"type":"login_response","id":"x"}""")]
    [InlineData("""{"type":"key_exchange","version":"1"}""")]
    [InlineData("""{"type":"pong","id":"\ud800"}""")]
    [InlineData("""{"type":"p\udc00ong"}""")]
    [InlineData("""{"type":"pong","deep":[[[[[[[[[1]]]]]]]]]}""")]
    public void TryDecode_WithMalformedOrIncompleteMessage_ReturnsFalse(string json)
    {
        Assert.False(ServerMessageCodec.TryDecode(Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void TryDecode_WithUnknownFieldsAndTypeLast_Decodes()
    {
        var pong = Assert.IsType<PongReply>(Decode("""{"id":"p","added_in_v2":{"x":[1]},"type":"pong"}"""));

        Assert.Equal("p", pong.Id);
    }

    [Fact]
    public void TryDecode_ChatMessage_ReadsEveryServerSetField()
    {
        var message = Assert.IsType<ChatMessage>(Decode(
            """{"type":"message","message_id":"m-9","from":"alice","from_id":"u-1","from_server":"srv-1","to":"bob","to_id":"u-2","payload":"h\u00e9","timestamp":"2025-03-14T15:09:26Z"}"""));

        Assert.Equal("m-9", message.MessageId);
        Assert.Equal("alice", message.From);
        Assert.Equal("u-1", message.FromId);
        Assert.Equal("srv-1", message.FromServer);
        Assert.Equal("u-2", message.ToId);
        Assert.Equal("hé", message.Payload);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero), message.Timestamp);
    }

    [Fact]
    public void ChatMessage_ToString_LeavesThePayloadOut()
    {
        Assert.DoesNotContain("secret words", (ServerSamples.All().OfType<ChatMessage>().Single() with { Payload = "secret words" }).ToString(), StringComparison.Ordinal);
    }
}
