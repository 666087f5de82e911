using System.Buffers;
using System.IO.Pipelines;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Framing;

/// <summary>
/// Reads frames from a pipe, one per call, and opens them once <see cref="Opener"/> is set (docs/protocol.md §2–3).
/// The payload is copied (or decrypted) into a pooled buffer before the pipe is advanced, so the caller may await
/// while handling it. A bad length is reported as soon as the prefix arrives. Not thread-safe: one reader loop owns it.
/// </summary>
public sealed class FrameInput
{
    private readonly PipeReader _reader;
    private readonly int _maxFrameBytes;

    public FrameInput(PipeReader reader, int maxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, FrameSealer.TagSize + 1);
        _reader = reader;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>Opens every frame after the handshake; null while frames are plain.</summary>
    public FrameOpener? Opener { get; set; }

    public async ValueTask<InboundFrame> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                var status = FrameReader.TryRead(ref buffer, _maxFrameBytes, out var body, out var declared);
                switch (status)
                {
                    case FrameReadStatus.Frame:
                        consumed = examined = buffer.Start;
                        return Take(body, declared);
                    case FrameReadStatus.ZeroLength:
                        return InboundFrame.Failure(InboundFrameStatus.ZeroLength);
                    case FrameReadStatus.TooLarge:
                        return InboundFrame.Failure(InboundFrameStatus.TooLarge, declared);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return InboundFrame.Failure(buffer.IsEmpty ? InboundFrameStatus.EndOfStream : InboundFrameStatus.Truncated);
                }
            }
            finally
            {
                _reader.AdvanceTo(consumed, examined);
            }
        }
    }

    private InboundFrame Take(in ReadOnlySequence<byte> body, uint declared)
    {
        var length = (int)body.Length;
        if (Opener is null)
        {
            var plain = ArrayPool<byte>.Shared.Rent(length);
            body.CopyTo(plain);
            return new InboundFrame(InboundFrameStatus.Frame, plain, length, declared);
        }

        var plaintextLength = FrameOpener.PlaintextSize(length);
        if (plaintextLength < 0)
        {
            return InboundFrame.Failure(InboundFrameStatus.DecryptFailed, declared);
        }

        var rented = ArrayPool<byte>.Shared.Rent(body.IsSingleSegment ? plaintextLength : length);
        bool opened;
        if (body.IsSingleSegment)
        {
            opened = Opener.TryOpen(body.FirstSpan, rented.AsSpan(0, plaintextLength));
        }
        else
        {
            // Multi-segment bodies are gathered first; AES-GCM then decrypts in place.
            body.CopyTo(rented);
            opened = Opener.TryOpen(rented.AsSpan(0, length), rented.AsSpan(0, plaintextLength));
        }

        if (!opened)
        {
            ArrayPool<byte>.Shared.Return(rented);
            return InboundFrame.Failure(InboundFrameStatus.DecryptFailed, declared);
        }

        return new InboundFrame(InboundFrameStatus.Frame, rented, plaintextLength, declared);
    }
}
