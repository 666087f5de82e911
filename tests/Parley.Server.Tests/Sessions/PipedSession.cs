using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;
using Parley.Server.Sessions;

namespace Parley.Server.Tests.Sessions;

/// <summary>
/// A <see cref="Sessions.Session"/> without a socket: its writer seals into a pipe, and the test opens what comes
/// out of the other end with the client's keys, as a client would. Every wait has a timeout.
/// </summary>
internal sealed class PipedSession : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // No back-pressure: a test may let the writer drain everything before it reads.
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
    private readonly FrameSealer _sealer;
    private readonly FrameOpener _opener;
    private readonly FrameInput _input;
    private int _aborts;

    public PipedSession(int queueLimit = 64, TimeProvider? time = null, string connectionId = "test-connection", TimeSpan deferWindow = default)
    {
        var keys = SessionKeys.Derive(RandomNumberGenerator.GetBytes(ProtocolConstants.SessionSecretSize), "test transcript"u8);
        _sealer = keys.CreateServerSealer();
        _opener = keys.CreateClientOpener();
        _input = new FrameInput(_pipe.Reader, ProtocolConstants.DefaultMaxFrameBytes) { Opener = _opener };
        Session = new Session(connectionId, null, queueLimit, () => Interlocked.Increment(ref _aborts), NullLogger.Instance, time ?? TimeProvider.System, deferWindow);
    }

    public Session Session { get; }

    /// <summary>The running <see cref="Session.RunWriterAsync"/>; null until <see cref="StartWriter"/>.</summary>
    public Task? Writer { get; private set; }

    /// <summary>How often the session called its abort action.</summary>
    public int Aborts => Volatile.Read(ref _aborts);

    public PipedSession StartWriter()
    {
        Writer = Session.RunWriterAsync(_pipe.Writer, _sealer);
        return this;
    }

    /// <summary>The next frame the writer sealed, opened with the client's key, as JSON text.</summary>
    public async Task<string> ReceiveJsonAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var frame = await _input.ReadAsync(timeout.Token);
        Assert.Equal(InboundFrameStatus.Frame, frame.Status);
        return Encoding.UTF8.GetString(frame.Payload.Span);
    }

    public async Task<T> ReceiveAsync<T>()
        where T : ServerMessage => Assert.IsType<T>(Decode(await ReceiveJsonAsync()));

    public async Task WaitForWriterAsync()
    {
        Assert.NotNull(Writer);
        await Writer.WaitAsync(Timeout);
    }

    /// <summary>Once the writer has ended on its own, every frame it wrote that the test has not read yet.</summary>
    public async Task<IReadOnlyList<ServerMessage>> ReadToEndAsync()
    {
        await WaitForWriterAsync();
        await _pipe.Writer.CompleteAsync();
        var messages = new List<ServerMessage>();
        while (true)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            using var frame = await _input.ReadAsync(timeout.Token);
            if (frame.Status == InboundFrameStatus.EndOfStream)
            {
                return messages;
            }

            Assert.Equal(InboundFrameStatus.Frame, frame.Status);
            messages.Add(Decode(Encoding.UTF8.GetString(frame.Payload.Span)));
        }
    }

    /// <summary>Ends the session's queue normally and returns every frame still written: what was queued for it.</summary>
    public Task<IReadOnlyList<ServerMessage>> DrainAsync()
    {
        Session.CompleteOutbound();
        return ReadToEndAsync();
    }

    /// <summary>The peer stops reading for good, as when its socket is gone.</summary>
    public ValueTask CompleteReaderAsync() => _pipe.Reader.CompleteAsync();

    public async ValueTask DisposeAsync()
    {
        Session.CompleteOutbound();
        if (Writer is not null)
        {
            await Writer.WaitAsync(Timeout);
        }

        Session.Dispose();
        await _pipe.Writer.CompleteAsync();
        await _pipe.Reader.CompleteAsync();
        _sealer.Dispose();
        _opener.Dispose();
    }

    private static ServerMessage Decode(string json)
    {
        Assert.True(ServerMessageCodec.TryDecode(Encoding.UTF8.GetBytes(json), out var message), $"Not a server message: {json}");
        return message!;
    }
}
