namespace Parley.Protocol.Crypto;

/// <summary>The key exchange cannot complete; the connection must end with <c>handshake_failed</c>.</summary>
public sealed class HandshakeException : Exception
{
    public HandshakeException(string message)
        : base(message)
    {
    }

    public HandshakeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
