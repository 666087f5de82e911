namespace Parley.Server.Sessions;

/// <summary>
/// One message waiting for a session's writer: JSON already serialized (shared by every recipient of a
/// fan-out; each session seals its own copy with its own key), whether the connection ends after it, and whether
/// it may wait a moment for company (presence events: see <see cref="Session.RunWriterAsync"/>).
/// </summary>
internal readonly record struct OutboundFrame(ReadOnlyMemory<byte> Json, bool CloseAfter = false, bool Deferrable = false);
