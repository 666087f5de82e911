using System.Net.Security;
using Microsoft.Extensions.Logging;
using Parley.Protocol;
using Parley.Server.Security;

namespace Parley.Server.Transport;

/// <summary>
/// Refuses, straight after the TLS handshake and before a byte of Parley, any connection whose negotiated cipher suite
/// is not one of <see cref="AeadCipherSuites"/>. The server offers OpenSSL's defaults rather than restricting them with
/// a <c>CipherSuitesPolicy</c>: .NET builds a new OpenSSL context for every connection that has a policy, which cost
/// 11–16 KB per idle connection (docs/performance.md, idle). With server preference the defaults put AES-GCM first, so
/// only a client that offers no AEAD suite at all gets here, and it would have been refused either way.
/// </summary>
internal static class AeadOnly
{
    /// <summary>True when the suite is AEAD; otherwise logs the refusal and returns false (the caller closes).</summary>
    public static bool Permits(SslStream ssl, ILogger logger)
    {
        if (AeadCipherSuites.Allows(ssl.NegotiatedCipherSuite))
        {
            return true;
        }

        ServerLog.ConnectionRefused(logger, ErrorCodes.HandshakeFailed,
            $"TLS negotiated {ssl.NegotiatedCipherSuite}, which is not an AEAD cipher suite; use a client with AES-GCM or ChaCha20-Poly1305.");
        return false;
    }
}
