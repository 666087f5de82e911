using System.Text.Json.Serialization;

namespace Parley.Protocol.Messages;

/// <summary>Everything a server sends (docs/protocol.md §5.2).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(KeyExchangeMessage), MessageTypes.KeyExchange)]
[JsonDerivedType(typeof(RegisterResponse), MessageTypes.RegisterResponse)]
[JsonDerivedType(typeof(LoginResponse), MessageTypes.LoginResponse)]
[JsonDerivedType(typeof(OnlineUsersResponse), MessageTypes.OnlineUserResponse)]
[JsonDerivedType(typeof(UserStatusEvent), MessageTypes.UserStatus)]
[JsonDerivedType(typeof(ChatMessage), MessageTypes.Message)]
[JsonDerivedType(typeof(DeliveryStatusReply), MessageTypes.DeliveryStatus)]
[JsonDerivedType(typeof(PongReply), MessageTypes.Pong)]
[JsonDerivedType(typeof(ErrorReply), MessageTypes.Error)]
public abstract record ServerMessage;

/// <summary>A server message that answers one request and echoes its <see cref="Id"/>.</summary>
public abstract record ServerReply : ServerMessage
{
    public string? Id { get; init; }
}

/// <summary>The server's opening message (§3.1), sent unsealed.</summary>
public sealed record KeyExchangeMessage : ServerMessage
{
    public int Version { get; init; }
    public string? ServerId { get; init; }
    public string? ServerName { get; init; }

    /// <summary>The server's long-term RSA identity key, SubjectPublicKeyInfo in PEM.</summary>
    public string? PublicKey { get; init; }

    /// <summary>SHA-256 of the key's SubjectPublicKeyInfo DER, as <see cref="Crypto.Fingerprint"/> formats it.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary>Answer to REGISTER (§5.2.1).</summary>
public sealed record RegisterResponse : ServerReply
{
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public required string ServerId { get; init; }
}

/// <summary>Answer to LOGIN (§5.2.2).</summary>
public sealed record LoginResponse : ServerReply
{
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public required string VirtualIp { get; init; }
    public required string ServerId { get; init; }
    public required string ServerName { get; init; }
}

/// <summary>One entry of the online list.</summary>
public sealed record OnlineUser
{
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public required string VirtualIp { get; init; }
    public required string ServerId { get; init; }
}

/// <summary>Answer to online_user_request (§5.2.3).</summary>
public sealed record OnlineUsersResponse : ServerReply
{
    public required IReadOnlyList<OnlineUser> Users { get; init; }
}

/// <summary>Pushed when a user comes online (first session) or goes offline (last session ends) (§5.2.4).</summary>
public sealed record UserStatusEvent : ServerMessage
{
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public required string Status { get; init; }
    public required string VirtualIp { get; init; }
    public required string ServerId { get; init; }
}

/// <summary>A delivered direct message (§5.2.5). Every sender field is set by the server.</summary>
public sealed record ChatMessage : ServerMessage
{
    public required string MessageId { get; init; }
    public required string From { get; init; }
    public required string FromId { get; init; }
    public required string FromServer { get; init; }
    public required string To { get; init; }
    public required string ToId { get; init; }
    public required string Payload { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public override string ToString() => $"message {{ MessageId = {MessageId}, FromId = {FromId}, ToId = {ToId} }}";
}

/// <summary>Tells the sender what became of a message (§5.2.6).</summary>
public sealed record DeliveryStatusReply : ServerReply
{
    public string? MessageId { get; init; }
    public required string To { get; init; }
    public string? ToId { get; init; }
    public required string Status { get; init; }
}

/// <summary>Answer to ping (§5.1.5).</summary>
public sealed record PongReply : ServerReply;

/// <summary>A refusal (§6). <see cref="Code"/> is stable; <see cref="Message"/> is for people.</summary>
public sealed record ErrorReply : ServerReply
{
    public required string Code { get; init; }
    public required string Message { get; init; }
}
