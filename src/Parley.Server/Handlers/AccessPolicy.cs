using Parley.Protocol.Messages;

namespace Parley.Server.Handlers;

/// <summary>
/// What a session may ask for before it has logged in. Every permission decision about request types is made
/// here and nowhere else; features that add permissions (groups, files) extend this type.
/// </summary>
internal static class AccessPolicy
{
    public static bool AllowedBeforeLogin(ClientMessage message) =>
        message is RegisterRequest or LoginRequest or PingRequest;
}
