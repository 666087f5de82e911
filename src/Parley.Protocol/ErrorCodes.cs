namespace Parley.Protocol;

/// <summary>
/// Stable, machine-readable codes carried in <c>error.code</c> (docs/protocol.md §6).
/// Codes are never renamed; new ones may be added.
/// </summary>
public static class ErrorCodes
{
    // Stream-level: the connection is closed after the error.
    public const string BadFrame = "bad_frame";
    public const string TooLarge = "too_large";
    public const string DecryptFailed = "decrypt_failed";
    public const string HandshakeFailed = "handshake_failed";
    public const string HandshakeTimeout = "handshake_timeout";
    public const string LoginTimeout = "login_timeout";
    public const string SlowConsumer = "slow_consumer";
    public const string TooManyAttempts = "too_many_attempts";
    public const string RekeyRequired = "rekey_required";
    public const string ServerShutdown = "server_shutdown";

    // Request-level: the connection stays open.
    public const string BadMessage = "bad_message";
    public const string UnknownType = "unknown_type";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string NotAuthenticated = "not_authenticated";
    public const string AlreadyAuthenticated = "already_authenticated";
    public const string InvalidUsername = "invalid_username";
    public const string WeakPassword = "weak_password";
    public const string UsernameTaken = "username_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string AddressPoolExhausted = "address_pool_exhausted";
    public const string ServerBusy = "server_busy";
    public const string InternalError = "internal_error";
}
