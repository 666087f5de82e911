using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Threading.Channels;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Targets.Floor;

/// <summary>
/// One TLS connection to the floor's echo server: a writer loop that writes each queued message with its own write
/// (NoDelay, no batching) and a reader that hands each echoed message to the sink.
/// </summary>
internal sealed class FloorClient : IBenchClient
{
    private readonly SslStream _stream;
    private readonly IMessageSink _sink;
    private readonly OutboundQueue _outbound = new("floor");
    private readonly Task _reader;
    private readonly Task _writer;

    private FloorClient(int index, SslStream stream, IMessageSink sink)
    {
        Index = index;
        _stream = stream;
        _sink = sink;
        _reader = Task.Run(ReadAsync);
        _writer = Task.Run(WriteAsync);
    }

    public int Index { get; }

    public bool IsConnected => _outbound.IsOpen;

    public string? CloseReason => _outbound.CloseReason;

    public static async Task<FloorClient> ConnectAsync(int index, IPEndPoint server, IPAddress? source, string fingerprint, IMessageSink sink, CancellationToken cancellationToken)
    {
        var socket = FloorTls.CreateClientSocket(server, source);
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true));
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = FloorTls.Protocols,
                CipherSuitesPolicy = FloorTls.CipherSuites,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && Fingerprint.Sha256(certificate.GetRawCertData()) == fingerprint,
            }, cancellationToken);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }

        return new FloorClient(index, stream, sink);
    }

    public ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            return ValueTask.FromException(_outbound.ClosedError());
        }

        var length = FloorTls.PrefixLength + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        FloorTls.WritePrefix(buffer, payload.Length);
        payload.Span.CopyTo(buffer.AsSpan(FloorTls.PrefixLength));
        return _outbound.EnqueueAsync(buffer, length, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _outbound.Close("closed by the instrument");
        await Task.WhenAll(_reader, _writer);
        await _stream.DisposeAsync();
        _outbound.Dispose();
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var (buffer, length) in _outbound.Reader.ReadAllAsync(_outbound.Lifetime))
            {
                await _stream.WriteAsync(buffer.AsMemory(0, length), _outbound.Lifetime);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            _outbound.Close($"write failed: {ex.Message}");
        }
    }

    private async Task ReadAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_outbound.Lifetime);
                var buffer = result.Buffer;
                try
                {
                    while (FloorEchoServer.TryTakeFrame(ref buffer, out var frame))
                    {
                        Deliver(frame.Slice(FloorTls.PrefixLength));
                    }

                    if (result.IsCompleted)
                    {
                        _outbound.Close("the floor server closed the connection");
                        return;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException)
        {
            _outbound.Close($"read failed: {ex.Message}");
        }
    }

    private void Deliver(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            _sink.OnMessage(Index, payload.FirstSpan);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(copy);
        _sink.OnMessage(Index, copy.AsSpan(0, (int)payload.Length));
        ArrayPool<byte>.Shared.Return(copy);
    }
}
