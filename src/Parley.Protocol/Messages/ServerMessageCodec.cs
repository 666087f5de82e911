using System.Text.Json;

namespace Parley.Protocol.Messages;

/// <summary>Serializes server messages, and decodes them on the client side.</summary>
public static class ServerMessageCodec
{
    /// <summary>Serializes once; the bytes may then be sealed for any number of sessions.</summary>
    public static byte[] Encode(ServerMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ParleyJsonContext.Wire.ServerMessage);

    /// <summary>
    /// Decodes a server message. Returns false for a type this client does not know (a newer server may add
    /// events; clients ignore them) or for malformed JSON.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> json, out ServerMessage? message)
    {
        try
        {
            message = JsonSerializer.Deserialize(json, ParleyJsonContext.Wire.ServerMessage);
            return message is not null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            message = null;
            return false;
        }
    }
}
