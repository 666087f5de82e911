using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Threading.Channels;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Client.Tests.Support;

/// <summary>What the test server read from a client: a decoded message, undecodable JSON, or a framing failure.</summary>
internal sealed record Inbound(InboundFrameStatus Status, byte[] Payload, ClientMessage? Message);

/// <summary>The server side of one handshaken connection.</summary>
internal sealed class TestSession
{
    private readonly SslStream _stream;
    private readonly FrameInput _input;
    private readonly PipeWriter _output;
    private readonly FrameSealer _sealer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<Inbound> _received = Channel.CreateUnbounded<Inbound>();

    private TestSession(SslStream stream, FrameInput input, PipeWriter output, FrameSealer sealer, IPEndPoint remote)
    {
        _stream = stream;
        _input = input;
        _output = output;
        _sealer = sealer;
        RemoteEndPoint = remote;
    }

    public IPEndPoint RemoteEndPoint { get; }

    public static async Task<TestSession> AcceptAsync(SslStream stream, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var input = new FrameInput(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), ProtocolConstants.DefaultMaxFrameBytes);
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        var identity = TestCertificates.Identity;
        var offerBody = ServerMessageCodec.Encode(ServerHandshake.CreateOffer(identity, "srv-1", "Test server"));
        FrameWriter.Write(output, offerBody);
        await output.FlushAsync(cancellationToken);

        using var frame = await input.ReadAsync(cancellationToken);
        if (frame.Status != InboundFrameStatus.Frame
            || !ClientMessageCodec.TryDecode(frame.Payload.Span, out var message, out _)
            || message is not AesKeyMessage answer)
        {
            throw new InvalidOperationException($"Expected aes_key, got {frame.Status}.");
        }

        var keys = ServerHandshake.Complete(identity, answer, offerBody, frame.Payload.Span);
        input.Opener = keys.CreateServerOpener();
        return new TestSession(stream, input, output, keys.CreateServerSealer(), remote);
    }

    /// <summary>Everything read after the handshake, in order; completes when the client's stream ends or fails.</summary>
    public ChannelReader<Inbound> Received => _received.Reader;

    public async Task<Inbound> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);

    public async Task<T> NextMessageAsync<T>()
        where T : ClientMessage
    {
        var inbound = await NextAsync();
        return Assert.IsType<T>(inbound.Message);
    }

    public Task SendAsync(ServerMessage message) => SendJsonAsync(ServerMessageCodec.Encode(message));

    public async Task SendJsonAsync(byte[] json)
    {
        await _writeLock.WaitAsync();
        try
        {
            _sealer.WriteFrame(_output, json);
            await _output.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the connection the way a server does after a connection-level error.</summary>
    public async Task CloseAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await _output.CompleteAsync();
            _stream.Close();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal async Task RunAsync(Func<TestSession, ClientMessage, Task> handler, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Inbound inbound;
                using (var frame = await _input.ReadAsync(cancellationToken))
                {
                    if (frame.Status != InboundFrameStatus.Frame)
                    {
                        _received.Writer.TryWrite(new Inbound(frame.Status, [], null));
                        return;
                    }

                    ClientMessageCodec.TryDecode(frame.Payload.Span, out var message, out _);
                    inbound = new Inbound(frame.Status, frame.Payload.ToArray(), message);
                }

                _received.Writer.TryWrite(inbound);
                if (inbound.Message is { } decoded)
                {
                    await handler(this, decoded);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The client closed; tests look at Received.
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
