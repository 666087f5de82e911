using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Protocol.Messages;

/// <summary>The one source-generated serializer context for every wire message (docs/protocol.md §4).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    MaxDepth = 8)]
[JsonSerializable(typeof(ClientMessage))]
[JsonSerializable(typeof(ServerMessage))]
public sealed partial class ParleyJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the codecs use: the generated options with an encoder that writes text of the Basic Multilingual
    /// Plane as UTF-8 and leaves HTML-significant characters alone. The frames are never embedded in HTML, so
    /// escaping them would only make messages larger (a € would take 6 bytes instead of 3). Characters beyond the
    /// BMP, such as emoji, are still written as escaped surrogate pairs by this encoder.
    /// </summary>
    public static ParleyJsonContext Wire => WireHolder.Instance;

    // A holder class, so the generated Default exists before it is copied (static initializers of partial
    // files run in no defined order).
    private static class WireHolder
    {
        public static readonly ParleyJsonContext Instance = new(new JsonSerializerOptions(Default.Options!)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = null,
        });
    }
}
