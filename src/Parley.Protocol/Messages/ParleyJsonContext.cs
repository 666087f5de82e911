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
public sealed partial class ParleyJsonContext : JsonSerializerContext;
