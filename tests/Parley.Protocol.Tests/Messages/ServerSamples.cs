using Parley.Protocol.Messages;

namespace Parley.Protocol.Tests.Messages;

internal static class ServerSamples
{
    public static readonly DateTimeOffset Timestamp = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    public static IEnumerable<ServerMessage> All() =>
    [
        new KeyExchangeMessage
        {
            Version = 1,
            ServerId = "srv-1",
            ServerName = "Parley One",
            PublicKey = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
            Fingerprint = "AB:CD",
        },
        new RegisterResponse { Id = "r1", UserId = "u-1", Username = "alice", ServerId = "srv-1" },
        new LoginResponse { Id = "l1", UserId = "u-1", Username = "alice", VirtualIp = "10.8.0.2", ServerId = "srv-1", ServerName = "Parley One" },
        new OnlineUsersResponse
        {
            Id = "o1",
            Users =
            [
                new OnlineUser { UserId = "u-1", Username = "alice", VirtualIp = "10.8.0.2", ServerId = "srv-1" },
                new OnlineUser { UserId = "u-2", Username = "bob", VirtualIp = "10.8.0.3", ServerId = "srv-1" },
            ],
        },
        new UserStatusEvent { UserId = "u-2", Username = "bob", Status = PresenceStates.Online, VirtualIp = "10.8.0.3", ServerId = "srv-1" },
        new ChatMessage
        {
            MessageId = "m-1", From = "alice", FromId = "u-1", FromServer = "srv-1",
            To = "bob", ToId = "u-2", Payload = "hi", Timestamp = Timestamp,
        },
        new DeliveryStatusReply { Id = "s1", MessageId = "m-1", To = "bob", ToId = "u-2", Status = DeliveryStates.Delivered },
        new PongReply { Id = "p1" },
        new ErrorReply { Id = "e1", Code = ErrorCodes.MissingField, Message = "Field 'to' is required." },
    ];
}
