using System.Net;

namespace Parley.Server.Transport;

/// <summary>
/// The properties every log line about a connection carries before its login. An array, not a dictionary: the
/// scope lives as long as the connection.
/// </summary>
internal static class ConnectionLogScope
{
    public static KeyValuePair<string, object?>[] Of(string connectionId, EndPoint? remoteEndPoint) =>
    [
        new("ConnectionId", connectionId),
        new("RemoteEndPoint", remoteEndPoint?.ToString()),
    ];
}
