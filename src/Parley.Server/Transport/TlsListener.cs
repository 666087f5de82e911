using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Server.Configuration;

namespace Parley.Server.Transport;

/// <summary>
/// Accepts TCP connections, runs each one's TLS handshake on its own task (never in the accept loop, so a client that
/// stalls its handshake delays nobody else) within the handshake limit, refuses non-AEAD suites, and hands the
/// connection to <see cref="ParleyConnectionHandler"/>. Stopping ends accepting, lets the sessions say goodbye
/// (ParleyServer sends server_shutdown first) and aborts whatever is still open when the host's shutdown time is up.
/// </summary>
internal sealed class TlsListener : IHostedService, IDisposable
{
    private const int Backlog = 512;

    private readonly ParleyServerOptions _options;
    private readonly ParleyConnectionHandler _handler;
    private readonly ILogger<TlsListener> _logger;
    private readonly SslServerAuthenticationOptions _tls;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, TlsConnection> _live = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;
    private int _toldBufferRelease;
    private long _lastConnectionId = Random.Shared.NextInt64(1L << 40);

    public TlsListener(IOptions<ParleyServerOptions> options, X509Certificate2 certificate, ParleyConnectionHandler handler, ILogger<TlsListener> logger)
    {
        _options = options.Value;
        _handler = handler;
        _logger = logger;
        _tls = new SslServerAuthenticationOptions
        {
            // TLS 1.2 or 1.3 with ALPN parley/1 (docs/protocol.md §1). No CipherSuitesPolicy: .NET builds an OpenSSL
            // context per connection for a policy (11–16 KB each); AeadOnly refuses non-AEAD suites instead.
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [new SslApplicationProtocol(ProtocolConstants.Alpn)],
            ClientCertificateRequired = false,
            AllowRenegotiation = false,
        };
    }

    /// <summary>Where the server listens; with port 0 configured, the port the OS chose.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)(_socket ?? throw new InvalidOperationException("The listener has not started.")).LocalEndPoint!;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(_options.Bind);
        var endPoint = new IPEndPoint(address, _options.Port);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"Cannot listen on {endPoint}: {ex.Message} (set Port or Bind to a free address).", ex);
        }

        _socket = socket;
        _acceptLoop = AcceptLoopAsync(socket);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _socket?.Dispose();
        await _acceptLoop;
        if (Volatile.Read(ref _active) == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            // The sessions were told server_shutdown when the host began stopping; they close as their writers drain.
            await _drained.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            foreach (var connection in _live.Values)
            {
                connection.Abort();
            }

            await _drained.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors, or a connection reset while queued: this one is lost, the next may work.
                ServerLog.AcceptFailed(_logger, ex.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
                continue;
            }

            var acceptedAt = TimeProvider.System.GetTimestamp();
            Interlocked.Increment(ref _active);
            ThreadPool.UnsafeQueueUserWorkItem(state => _ = state.Listener.ServeAsync(state.Socket, state.AcceptedAt),
                (Listener: this, Socket: socket, AcceptedAt: acceptedAt), preferLocal: false);
        }
    }

    private async Task ServeAsync(Socket socket, long acceptedAt)
    {
        var connectionId = Interlocked.Increment(ref _lastConnectionId).ToString("x12", CultureInfo.InvariantCulture);
        using var scope = _logger.BeginScope(ConnectionLogScope.Of(connectionId, socket.RemoteEndPoint));
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        TlsConnection? connection = null;
        try
        {
            socket.NoDelay = true;
            if (!await AuthenticateAsync(stream, acceptedAt) || !AeadOnly.Permits(stream, _logger))
            {
                return;
            }

            var released = TlsBufferRelease.TryEnable(stream);
            if (Interlocked.Exchange(ref _toldBufferRelease, 1) == 0)
            {
                ServerLog.TlsBufferRelease(_logger, released);
            }

            connection = new TlsConnection(connectionId, socket, stream, acceptedAt);
            _live[connectionId] = connection;
            if (_stopping.IsCancellationRequested)
            {
                connection.Abort(); // accepted as the server stopped: the abort sweep may have run already
            }

            await _handler.OnConnectedAsync(connection);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            // A client that resets straight after connecting: an ordinary end, not a server fault.
            ServerLog.ConnectionLost(_logger, ex.Message);
        }
        catch (Exception ex)
        {
            ServerLog.ConnectionFailed(_logger, ex);
        }
        finally
        {
            if (connection is not null)
            {
                _live.TryRemove(connectionId, out _);
                await connection.DisposeAsync();
            }
            else
            {
                await stream.DisposeAsync();
            }

            if (Interlocked.Decrement(ref _active) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>The TLS handshake, bounded by what is left of the handshake limit; false (logged) when it fails.</summary>
    private async Task<bool> AuthenticateAsync(SslStream stream, long acceptedAt)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(TlsConnection.Remaining(acceptedAt, _options.HandshakeTimeout));
        try
        {
            await stream.AuthenticateAsServerAsync(_tls, deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            ServerLog.TlsHandshakeFailed(_logger, _stopping.IsCancellationRequested
                ? "the server is stopping"
                : $"not finished within {_options.HandshakeTimeoutSeconds} seconds");
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            ServerLog.TlsHandshakeFailed(_logger, ex.Message);
            return false;
        }
    }
}
