namespace Parley.Server.Sessions;

/// <summary>
/// One message waiting for a session's writer: JSON already serialized (shared by every recipient of a
/// fan-out; each session seals its own copy with its own key), and whether the connection ends after it.
/// </summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Json, bool CloseAfter = false);
