using System.Text.Json;

namespace Parley.Protocol.Messages;

/// <summary>
/// Reads only the top-level <c>type</c> and <c>id</c> of a JSON object. Used on the error path, to say
/// precisely what was wrong with a message that did not deserialize, and to echo or match its id.
/// </summary>
public static class MessagePeek
{
    /// <summary>False when <paramref name="json"/> is not a well-formed JSON object.</summary>
    public static bool TryPeek(ReadOnlySpan<byte> json, out string? type, out string? id)
    {
        type = null;
        id = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isType || isId))
                {
                    var value = reader.GetString();
                    if (isType)
                    {
                        type = value;
                    }
                    else
                    {
                        id = value;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // GetString throws InvalidOperationException for invalid UTF-8 or a lone surrogate escape.
            return false;
        }
    }
}
