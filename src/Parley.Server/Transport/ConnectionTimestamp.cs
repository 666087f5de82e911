using Microsoft.AspNetCore.Connections;

namespace Parley.Server.Transport;

/// <summary>
/// Stamps each connection when it is accepted, before TLS, so the handshake limit covers TLS plus the key exchange.
/// </summary>
internal static class ConnectionTimestamp
{
    public const string Key = "parley.accepted";

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => connection =>
    {
        connection.Items[Key] = TimeProvider.System.GetTimestamp();
        return next(connection);
    };
}
