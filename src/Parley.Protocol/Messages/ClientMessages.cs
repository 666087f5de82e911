using System.Text.Json.Serialization;

namespace Parley.Protocol.Messages;

/// <summary>
/// Everything a client may send inside the seal (docs/protocol.md §5.1). <see cref="Id"/> is chosen by the client
/// and echoed in the reply, so replies can be matched to requests.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AesKeyMessage), MessageTypes.AesKey)]
[JsonDerivedType(typeof(RegisterRequest), MessageTypes.Register)]
[JsonDerivedType(typeof(LoginRequest), MessageTypes.Login)]
[JsonDerivedType(typeof(OnlineUsersRequest), MessageTypes.OnlineUserRequest)]
[JsonDerivedType(typeof(SendMessageRequest), MessageTypes.Message)]
[JsonDerivedType(typeof(PingRequest), MessageTypes.Ping)]
public abstract record ClientMessage
{
    public string? Id { get; init; }

    /// <summary>The first required field that is absent or empty, or null when the message is complete.</summary>
    [JsonIgnore]
    public virtual string? MissingField => null;

    /// <summary>The first field present with a value its type does not allow (and why), or null when all are valid.</summary>
    [JsonIgnore]
    public virtual (string Field, string Rule)? InvalidField => null;

    private protected static string? FirstMissing(params ReadOnlySpan<(string Name, string? Value)> fields)
    {
        foreach (var (name, value) in fields)
        {
            if (string.IsNullOrEmpty(value))
            {
                return name;
            }
        }

        return null;
    }
}

/// <summary>Handshake answer (§3.2): the client's 32-byte secret wrapped with RSA-OAEP-SHA256, base64.</summary>
public sealed record AesKeyMessage : ClientMessage
{
    public string? Key { get; init; }

    public override string? MissingField => FirstMissing(("key", Key));
}

/// <summary>Creates an account (§5.1.1).</summary>
public sealed record RegisterRequest : ClientMessage
{
    public string? Username { get; init; }
    public string? Password { get; init; }

    public override string? MissingField => FirstMissing(("username", Username), ("password", Password));

    // Records print their properties; a password must never reach a log line.
    public override string ToString() => $"REGISTER {{ Id = {Id}, Username = {Username} }}";
}

/// <summary>Logs in (§5.1.2).</summary>
public sealed record LoginRequest : ClientMessage
{
    public string? Username { get; init; }
    public string? Password { get; init; }

    public override string? MissingField => FirstMissing(("username", Username), ("password", Password));

    public override string ToString() => $"LOGIN {{ Id = {Id}, Username = {Username} }}";
}

/// <summary>Asks for everyone online (§5.1.3).</summary>
public sealed record OnlineUsersRequest : ClientMessage;

/// <summary>
/// A direct message (§5.1.4). <see cref="To"/> is a user id or a username. Any sender fields a client adds
/// are not part of this type and so are dropped: the server sets the sender.
/// </summary>
public sealed record SendMessageRequest : ClientMessage
{
    public string? To { get; init; }
    public string? Payload { get; init; }

    /// <summary>Which outcomes are answered (<see cref="AckModes"/>); absent means <see cref="AckModes.All"/>.</summary>
    public string? Ack { get; init; }

    [JsonIgnore]
    public bool WantsAckForDelivered => Ack is not AckModes.Failures;

    public override string? MissingField => FirstMissing(("to", To), ("payload", Payload));

    public override (string Field, string Rule)? InvalidField =>
        AckModes.IsKnown(Ack) ? null : ("ack", $"must be \"{AckModes.All}\" or \"{AckModes.Failures}\"");

    public override string ToString() => $"message {{ Id = {Id}, To = {To} }}";
}

/// <summary>Liveness probe (§5.1.5); answered with <c>pong</c>.</summary>
public sealed record PingRequest : ClientMessage;
