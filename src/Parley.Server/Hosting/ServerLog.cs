using Microsoft.Extensions.Logging;

namespace Parley.Server;

/// <summary>
/// Every log line the server writes about connections and accounts, source-generated. Event ids: 1xx transport,
/// 2xx accounts. No method here takes a password, a key or message text.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(100, LogLevel.Debug, "Connection opened")]
    public static partial void ConnectionOpened(ILogger logger);

    [LoggerMessage(101, LogLevel.Debug, "Connection closed")]
    public static partial void ConnectionClosed(ILogger logger);

    [LoggerMessage(102, LogLevel.Warning, "Connection refused: {Code}: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string code, string reason);

    [LoggerMessage(103, LogLevel.Information, "Request refused: {Code}")]
    public static partial void BadRequest(ILogger logger, string code);

    [LoggerMessage(105, LogLevel.Error, "Request {Type} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string type);

    [LoggerMessage(106, LogLevel.Error, "Connection failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "Connection lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string reason);

    [LoggerMessage(107, LogLevel.Information, "Listening on {EndPoint} (TLS, ALPN {Alpn})")]
    public static partial void Listening(ILogger logger, string endPoint, string alpn);

    [LoggerMessage(109, LogLevel.Information, "OpenSSL releases idle connections' record buffers: {Enabled}")]
    public static partial void TlsBufferRelease(ILogger logger, bool enabled);

    [LoggerMessage(110, LogLevel.Debug, "TLS handshake failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string reason);

    [LoggerMessage(111, LogLevel.Warning, "Accepting a connection failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(200, LogLevel.Information, "Registered {User} ({UserId})")]
    public static partial void Registered(ILogger logger, string user, Guid userId);

    [LoggerMessage(201, LogLevel.Information, "{User} logged in with virtual IP {VirtualIp} ({Sessions} sessions)")]
    public static partial void LoggedIn(ILogger logger, string user, string virtualIp, int sessions);

    [LoggerMessage(202, LogLevel.Information, "Login failed (attempt {Attempt} on this connection)")]
    public static partial void LoginFailed(ILogger logger, int attempt);

    [LoggerMessage(203, LogLevel.Information, "{Type} refused: {Code}")]
    public static partial void RequestRefused(ILogger logger, string type, string code);

    [LoggerMessage(204, LogLevel.Warning, "Virtual IP pool exhausted; login of {User} refused")]
    public static partial void AddressPoolExhausted(ILogger logger, string user);

    [LoggerMessage(205, LogLevel.Information, "{User} went offline, virtual IP {VirtualIp} released")]
    public static partial void WentOffline(ILogger logger, string user, string virtualIp);
}
