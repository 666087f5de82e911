namespace Parley.Protocol.Framing;

/// <summary>Outcome of <see cref="FrameReader.TryRead"/>.</summary>
public enum FrameReadStatus
{
    /// <summary>A whole frame was read and removed from the buffer.</summary>
    Frame,

    /// <summary>More bytes are needed; the buffer is untouched.</summary>
    Incomplete,

    /// <summary>The length prefix is zero: a protocol violation.</summary>
    ZeroLength,

    /// <summary>The length prefix exceeds the configured maximum: rejected before the body arrives.</summary>
    TooLarge,
}
