using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Client;

public sealed partial class ParleyConnection
{
    private static readonly SslApplicationProtocol ParleyAlpn = new(ProtocolConstants.Alpn);

    /// <summary>
    /// Connects over TCP (no Nagle delay), negotiates TLS 1.2 or 1.3 with ALPN <c>parley/1</c>, verifies the server
    /// certificate as <see cref="ParleyClientOptions.Trust"/> says, and completes the key exchange
    /// (docs/protocol.md §3). The connection is not logged in yet: call <see cref="LoginAsync"/> or
    /// <see cref="RegisterAsync"/>.
    /// </summary>
    /// <exception cref="ServerTrustException">The certificate is not trusted.</exception>
    /// <exception cref="ParleyConnectionException">The server is unreachable, is not a Parley server, or the handshake failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static async Task<ParleyConnection> ConnectAsync(ParleyClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var endpoint = KnownServersFile.FormatEndpoint(options.Host, options.Port);
        var trust = options.Trust;
        IReadOnlyList<string> known = trust.PinnedFingerprint is null && trust.KnownServers is { } file
            ? file.Lookup(options.Host, options.Port)
            : [];

        var socket = await ConnectSocketAsync(options, endpoint, cancellationToken).ConfigureAwait(false);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            var check = new CertificateCheck(options, known);
            await AuthenticateAsync(stream, check, endpoint, timeout.Token).ConfigureAwait(false);
            if (stream.NegotiatedApplicationProtocol != ParleyAlpn)
            {
                throw new ParleyConnectionException(
                    $"{endpoint} did not negotiate ALPN '{ProtocolConstants.Alpn}' over TLS: it is probably not a Parley server (or an older one).");
            }

            // Zero-byte reads: an idle connection holds no receive buffer, which matters at thousands of connections.
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
            var input = new FrameInput(reader, options.MaxFrameBytes);
            var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            var (server, keys) = await KeyExchangeAsync(input, output, endpoint, timeout.Token).ConfigureAwait(false);

            if (check.Decision!.ShouldRecord)
            {
                Record(trust.KnownServers!, options, endpoint, check.Fingerprint!);
            }

            var connection = new ParleyConnection(
                options, socket, stream, reader, input, output, keys, server, check.Fingerprint!, check.Decision.Basis!.Value);
            connection.Start();
            return connection;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ParleyConnectionException(
                $"The handshake with {endpoint} did not complete within {options.HandshakeTimeout.TotalSeconds:0.#} s.", ex, ErrorCodes.HandshakeTimeout);
        }
        catch (IOException ex)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ParleyConnectionException($"The connection to {endpoint} failed during the handshake: {ex.Message}", ex);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void Record(KnownServersFile file, ParleyClientOptions options, string endpoint, string fingerprint)
    {
        try
        {
            file.Add(options.Host, options.Port, fingerprint);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ParleyConnectionException(
                $"{endpoint} was trusted on first use, but recording it in {file.Path} failed: {ex.Message}", ex);
        }
    }

    private static async Task<Socket> ConnectSocketAsync(ParleyClientOptions options, string endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Exception? last = null;
        try
        {
            var host = options.Host.Trim().TrimStart('[').TrimEnd(']');
            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            if (options.LocalAddress is { } local)
            {
                addresses = [.. addresses.Where(a => a.AddressFamily == local.AddressFamily)];
                if (addresses.Length == 0)
                {
                    throw new ParleyConnectionException($"{endpoint} has no {local.AddressFamily} address to reach from {local}.");
                }
            }

            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (options.LocalAddress is { } source)
                    {
                        BindSource(socket, source);
                    }

                    await socket.ConnectAsync(new IPEndPoint(address, options.Port), timeout.Token).ConfigureAwait(false);
                    return socket;
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ParleyConnectionException(
                $"Could not connect to {endpoint} within {options.ConnectTimeout.TotalSeconds:0.#} s.", ex);
        }
        catch (SocketException ex)
        {
            last = ex;
        }

        throw new ParleyConnectionException($"Could not connect to {endpoint}: {last?.Message ?? "the host has no address"}.", last);
    }

    private static void BindSource(Socket socket, IPAddress source)
    {
        if (OperatingSystem.IsLinux() && source.AddressFamily == AddressFamily.InterNetwork)
        {
            // IP_BIND_ADDRESS_NO_PORT (24): choose the port at connect time, so ports are unique per destination,
            // not per source address; a load generator then gets the whole ephemeral range for each server.
            try
            {
                socket.SetRawSocketOption(0, 24, BitConverter.GetBytes(1));
            }
            catch (SocketException)
            {
                // Older kernels: an ordinary bind still works.
            }
        }

        socket.Bind(new IPEndPoint(source, 0));
    }

    private static async Task AuthenticateAsync(SslStream stream, CertificateCheck check, string endpoint, CancellationToken cancellationToken)
    {
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = check.Host,
            ApplicationProtocols = [ParleyAlpn],
#pragma warning disable CA5398 // The protocol requires TLS 1.2 or newer; the OS default could allow less.
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning restore CA5398
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check.Validate,
        };

        try
        {
            await stream.AuthenticateAsClientAsync(tls, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            if (check.Decision is { IsTrusted: false } refused)
            {
                throw new ServerTrustException(refused.Failure!, endpoint, check.Fingerprint);
            }

            throw new ParleyConnectionException($"The TLS handshake with {endpoint} failed: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ParleyConnectionException($"The TLS handshake with {endpoint} failed: {ex.Message}", ex);
        }
    }

    /// <summary>docs/protocol.md §3: read key_exchange (plain), send aes_key (plain), derive the session keys.</summary>
    private static async Task<(KeyExchangeMessage Server, SessionKeys Keys)> KeyExchangeAsync(
        FrameInput input, PipeWriter output, string endpoint, CancellationToken cancellationToken)
    {
        byte[] offerBody;
        var frame = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (frame.Status != InboundFrameStatus.Frame)
            {
                throw new ParleyConnectionException(frame.Status == InboundFrameStatus.EndOfStream
                    ? $"{endpoint} closed the connection before the key exchange."
                    : $"{endpoint} sent a malformed first frame ({frame.Status}).");
            }

            offerBody = frame.Payload.ToArray();
        }
        finally
        {
            frame.Dispose();
        }

        ServerMessageCodec.TryDecode(offerBody, out var first);
        var offer = first switch
        {
            KeyExchangeMessage keyExchange => keyExchange,
            ErrorReply error => throw new ParleyConnectionException(
                $"{endpoint} refused the connection: {error.Message}", null, error.Code),
            _ => throw new ParleyConnectionException($"{endpoint} did not start with a key_exchange message."),
        };

        ClientHandshake handshake;
        try
        {
            handshake = ClientHandshake.Start(offer);
        }
        catch (HandshakeException ex)
        {
            throw new ParleyConnectionException($"The key exchange with {endpoint} failed: {ex.Message}", ex, ErrorCodes.HandshakeFailed);
        }

        var answerBody = ClientMessageCodec.Encode(handshake.Answer);
        FrameWriter.Write(output, answerBody);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return (offer, handshake.Complete(offerBody, answerBody));
    }

    /// <summary>Runs <see cref="ServerCertificateValidator"/> inside the TLS handshake and keeps its verdict.</summary>
    private sealed class CertificateCheck(ParleyClientOptions options, IReadOnlyList<string> known)
    {
        public string Host { get; } = options.Host.Trim().TrimStart('[').TrimEnd(']');

        public ServerTrustDecision? Decision { get; private set; }

        public string? Fingerprint { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Fingerprint = certificate is null ? null : Protocol.Crypto.Fingerprint.Sha256(certificate.GetRawCertData());
            Decision = ServerCertificateValidator.Evaluate(options.Trust, options.Host, options.Port, Fingerprint, errors, known);
            return Decision.IsTrusted;
        }
    }
}
