using Parley.Protocol.Messages;

namespace Parley.Client;

/// <summary>The server's certificate is not trusted; <see cref="Exception.Message"/> says why and what to do.</summary>
public sealed class ServerTrustException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServerTrustException(string message, string endpoint, string? certificateFingerprint)
        : base(message)
    {
        Endpoint = endpoint;
        CertificateFingerprint = certificateFingerprint;
    }

    /// <summary>The server, as <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>SHA-256 fingerprint of the certificate the server presented, if it presented one.</summary>
    public string? CertificateFingerprint { get; }
}

/// <summary>The server refused a request with an <c>error</c> reply; the connection stays open.</summary>
public sealed class ParleyServerException : Exception
{
    /// <summary>Wraps the server's error reply.</summary>
    public ParleyServerException(ErrorReply error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The stable, machine-readable code (one of <see cref="Protocol.ErrorCodes"/>).</summary>
    public string Code => Error.Code;

    /// <summary>The id of the refused request.</summary>
    public string? RequestId => Error.Id;

    /// <summary>The reply as received.</summary>
    public ErrorReply Error { get; }
}

/// <summary>
/// The connection could not be made or has ended. <see cref="CloseReason"/> says why when it had been established;
/// <see cref="ErrorCode"/> carries the server's code when the server ended it with a connection-level error.
/// </summary>
public sealed class ParleyConnectionException : Exception
{
    /// <summary>A failure to connect.</summary>
    public ParleyConnectionException(string message, Exception? innerException = null, string? errorCode = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>An operation on a connection that has closed.</summary>
    public ParleyConnectionException(ParleyCloseReason reason)
        : base(reason?.ToString(), reason?.Exception)
    {
        ArgumentNullException.ThrowIfNull(reason);
        CloseReason = reason;
        ErrorCode = reason.ErrorCode;
    }

    /// <summary>Why the connection ended, when it had been established.</summary>
    public ParleyCloseReason? CloseReason { get; }

    /// <summary>The server's error code (e.g. <c>slow_consumer</c>, <c>server_busy</c>), when it sent one.</summary>
    public string? ErrorCode { get; }
}

/// <summary>The server sent something this client cannot understand as an answer to a request.</summary>
public sealed class ParleyProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ParleyProtocolException(string message)
        : base(message)
    {
    }
}

/// <summary>What ended a connection, broadly.</summary>
public enum ParleyCloseKind
{
    /// <summary>This client closed it (<see cref="ParleyConnection.DisposeAsync"/>).</summary>
    ClosedByClient,

    /// <summary>The server closed the stream without saying why.</summary>
    ServerClosed,

    /// <summary>The server sent a connection-level <c>error</c> (no id) and closed: see <see cref="ParleyCloseReason.ErrorCode"/>.</summary>
    ServerError,

    /// <summary>The server broke the protocol: a bad length, a frame that failed authentication, a truncated frame.</summary>
    ProtocolViolation,

    /// <summary>The network or TLS layer failed.</summary>
    TransportError,
}

/// <summary>Why a <see cref="ParleyConnection"/> ended.</summary>
/// <param name="Kind">The broad cause.</param>
/// <param name="Message">A sentence for a person.</param>
/// <param name="ErrorCode">The server's error code for <see cref="ParleyCloseKind.ServerError"/>.</param>
/// <param name="Exception">The exception behind a transport failure, if any.</param>
public sealed record ParleyCloseReason(ParleyCloseKind Kind, string Message, string? ErrorCode = null, Exception? Exception = null)
{
    /// <summary>The message, with the server's code in front when there is one.</summary>
    public override string ToString() => ErrorCode is null ? Message : $"{ErrorCode}: {Message}";
}
