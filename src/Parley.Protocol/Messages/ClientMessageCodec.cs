using System.Text.Json;

namespace Parley.Protocol.Messages;

/// <summary>
/// Turns an opened frame into a <see cref="ClientMessage"/>, or into the precise <see cref="ProtocolError"/>
/// the server answers with (docs/protocol.md §6). The happy path is a single source-generated deserialization.
/// </summary>
public static class ClientMessageCodec
{
    private static readonly HashSet<string> KnownTypes =
    [
        MessageTypes.AesKey, MessageTypes.Register, MessageTypes.Login,
        MessageTypes.OnlineUserRequest, MessageTypes.Message, MessageTypes.Ping,
    ];

    public static bool TryDecode(ReadOnlySpan<byte> json, out ClientMessage? message, out ProtocolError? error)
    {
        try
        {
            message = JsonSerializer.Deserialize(json, ParleyJsonContext.Wire.ClientMessage);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            message = null;
            error = Explain(json, (ex as JsonException)?.Path);
            return false;
        }

        if (message is null)
        {
            error = new ProtocolError(ErrorCodes.BadMessage, "A message must be a JSON object.");
            return false;
        }

        if (message.Id is { Length: > ProtocolConstants.MaxRequestIdLength })
        {
            error = new ProtocolError(
                ErrorCodes.InvalidField, $"Field 'id' must be at most {ProtocolConstants.MaxRequestIdLength} characters.");
            message = null;
            return false;
        }

        if (message.MissingField is { } missing)
        {
            error = new ProtocolError(ErrorCodes.MissingField, $"Field '{missing}' is required.", message.Id);
            message = null;
            return false;
        }

        if (message.InvalidField is var (field, rule))
        {
            error = new ProtocolError(ErrorCodes.InvalidField, $"Field '{field}' {rule}.", message.Id);
            message = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Serializes a client message to UTF-8 JSON.</summary>
    public static byte[] Encode(ClientMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ParleyJsonContext.Wire.ClientMessage);

    private static ProtocolError Explain(ReadOnlySpan<byte> json, string? path)
    {
        if (!MessagePeek.TryPeek(json, out var type, out var id))
        {
            return new ProtocolError(ErrorCodes.BadMessage, "A message must be a well-formed JSON object.");
        }

        var requestId = id is { Length: <= ProtocolConstants.MaxRequestIdLength } ? id : null;
        if (type is null)
        {
            return new ProtocolError(ErrorCodes.MissingField, "Field 'type' is required.", requestId);
        }

        if (!KnownTypes.Contains(type))
        {
            return new ProtocolError(ErrorCodes.UnknownType, $"Unknown message type '{Truncate(type)}'.", requestId);
        }

        var field = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        return field is null
            ? new ProtocolError(ErrorCodes.BadMessage, "The message does not match its type's fields.", requestId)
            : new ProtocolError(ErrorCodes.InvalidField, $"Field '{Truncate(field)}' has the wrong type.", requestId);
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
