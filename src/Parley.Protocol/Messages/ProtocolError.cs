namespace Parley.Protocol.Messages;

/// <summary>A refusal found while decoding or handling a request: becomes an <see cref="ErrorReply"/>.</summary>
public sealed record ProtocolError(string Code, string Message, string? RequestId = null)
{
    public ErrorReply ToReply() => new() { Id = RequestId, Code = Code, Message = Message };
}
