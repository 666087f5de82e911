namespace Parley.Protocol.Messages;

/// <summary>The <c>type</c> discriminators of protocol v1 (docs/protocol.md §5). The seed's names are kept.</summary>
public static class MessageTypes
{
    // Handshake (§3)
    public const string KeyExchange = "key_exchange";
    public const string AesKey = "aes_key";

    // Client requests (§5.1)
    public const string Register = "REGISTER";
    public const string Login = "LOGIN";
    public const string OnlineUserRequest = "online_user_request";
    public const string Message = "message";
    public const string Ping = "ping";

    // Server replies and events (§5.2)
    public const string RegisterResponse = "register_response";
    public const string LoginResponse = "login_response";
    public const string OnlineUserResponse = "online_user_response";
    public const string UserStatus = "user_status";
    public const string DeliveryStatus = "delivery_status";
    public const string Pong = "pong";
    public const string Error = "error";
}

/// <summary>Values of <c>user_status.status</c>.</summary>
public static class PresenceStates
{
    public const string Online = "online";
    public const string Offline = "offline";
}

/// <summary>Values of <c>delivery_status.status</c>.</summary>
public static class DeliveryStates
{
    /// <summary>Handed to every live session of the recipient.</summary>
    public const string Delivered = "delivered";

    /// <summary>The recipient exists but has no live session.</summary>
    public const string Offline = "offline";

    /// <summary>No such user.</summary>
    public const string UnknownUser = "unknown_user";
}

/// <summary>Values of <c>message.ack</c> (§5.1.4): which outcomes of a direct message the sender is told.</summary>
public static class AckModes
{
    /// <summary>The default: a <c>delivery_status</c> for every message.</summary>
    public const string All = "all";

    /// <summary>Only a message that was not delivered is answered (a <c>delivery_status</c> or an <c>error</c>).</summary>
    public const string Failures = "failures";

    public static bool IsKnown(string? mode) => mode is null or All or Failures;
}
