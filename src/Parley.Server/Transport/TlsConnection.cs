using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Parley.Server.Transport;

/// <summary>
/// One accepted connection after its TLS handshake: pipes over the <see cref="SslStream"/>, and a way to end it.
/// Reads and writes go straight to the stream on the caller's thread (no copy loops between pipes), so a message costs
/// one hand-off from the socket to its reader and one to its recipient's writer, not one per layer.
/// </summary>
internal sealed class TlsConnection : IAsyncDisposable
{
    // A TLS record carries at most 16 KB of plaintext: one read can take a whole record, one write can fill one.
    private const int RecordBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly SslStream _stream;
    private readonly CancellationTokenSource _closed = new();

    public TlsConnection(string connectionId, Socket socket, SslStream stream, long acceptedAt)
    {
        ConnectionId = connectionId;
        _socket = socket;
        _stream = stream;
        AcceptedAt = acceptedAt;
        RemoteEndPoint = socket.RemoteEndPoint;
        // Zero-byte reads: while a connection waits for data it holds no read buffer, neither here nor in SslStream.
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: RecordBytes, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: RecordBytes, leaveOpen: true));
    }

    public string ConnectionId { get; }

    public EndPoint? RemoteEndPoint { get; }

    /// <summary>When the socket was accepted (<see cref="TimeProvider.GetTimestamp"/>), before TLS: deadlines count from here.</summary>
    public long AcceptedAt { get; }

    /// <summary>The protocol ALPN settled on; empty when the client offered none.</summary>
    public SslApplicationProtocol ApplicationProtocol => _stream.NegotiatedApplicationProtocol;

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Cancelled when the connection is aborted or has ended.</summary>
    public CancellationToken ConnectionClosed => _closed.Token;

    /// <summary>What is left of <paramref name="limit"/> counted from <paramref name="acceptedAt"/>; at least 1 ms (§7).</summary>
    public static TimeSpan Remaining(long acceptedAt, TimeSpan limit)
    {
        var remaining = limit - TimeProvider.System.GetElapsedTime(acceptedAt);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>Ends the connection now: pending reads and writes fail, whatever is unsent is dropped.</summary>
    public void Abort()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        // Closing the socket is what unblocks a write stuck on a peer that stopped reading.
        _socket.Dispose();
    }

    /// <summary>Ends the connection after the handler is done with it; what the writer flushed has reached the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync();
        try
        {
            await Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or the connection was aborted: nothing left can be delivered.
        }

        try
        {
            // A FIN after the last byte, so the peer reads everything sent before it.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Abort();
        await _stream.DisposeAsync();
        _closed.Dispose();
    }
}
