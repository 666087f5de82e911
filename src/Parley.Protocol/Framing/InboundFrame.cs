using System.Buffers;

namespace Parley.Protocol.Framing;

/// <summary>What <see cref="FrameInput.ReadAsync"/> found.</summary>
public enum InboundFrameStatus
{
    /// <summary>A frame; <see cref="InboundFrame.Payload"/> holds its (opened) body.</summary>
    Frame,

    /// <summary>The peer closed the stream cleanly between frames.</summary>
    EndOfStream,

    /// <summary>The stream ended inside a frame.</summary>
    Truncated,

    /// <summary>A zero length prefix.</summary>
    ZeroLength,

    /// <summary>A length prefix over the limit; <see cref="InboundFrame.DeclaredLength"/> says how long.</summary>
    TooLarge,

    /// <summary>A sealed frame failed authentication: tampered, replayed, reordered or not sealed at all.</summary>
    DecryptFailed,
}

/// <summary>
/// One frame's payload in a pooled buffer. Dispose it once handled, so the buffer goes back to the pool.
/// </summary>
public struct InboundFrame : IDisposable
{
    private byte[]? _rented;

    internal InboundFrame(InboundFrameStatus status, byte[]? rented, int length, uint declaredLength)
    {
        Status = status;
        _rented = rented;
        Length = length;
        DeclaredLength = declaredLength;
    }

    public InboundFrameStatus Status { get; }

    /// <summary>The length the prefix announced.</summary>
    public uint DeclaredLength { get; }

    private int Length { get; }

    /// <summary>The frame's plaintext; valid until <see cref="Dispose"/>.</summary>
    public readonly ReadOnlyMemory<byte> Payload => _rented is null ? default : _rented.AsMemory(0, Length);

    internal static InboundFrame Failure(InboundFrameStatus status, uint declaredLength = 0) => new(status, null, 0, declaredLength);

    public void Dispose()
    {
        if (_rented is { } buffer)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
