using System.Reflection;
using System.Text.Json.Serialization;
using Parley.Protocol.Messages;
using Parley.Server.Handlers;

namespace Parley.Server.Tests.Handlers;

public sealed class AccessPolicyTests
{
    /// <summary>Every message type a client can send, read from the protocol's own list, so a new type is covered here.</summary>
    public static TheoryData<string> ClientMessageTypes
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var derived in DerivedTypes())
            {
                data.Add((string)derived.TypeDiscriminator!);
            }

            return data;
        }
    }

    internal static IEnumerable<JsonDerivedTypeAttribute> DerivedTypes() =>
        typeof(ClientMessage).GetCustomAttributes<JsonDerivedTypeAttribute>();

    /// <summary>An empty message of the type with that discriminator, carrying <paramref name="id"/>.</summary>
    internal static ClientMessage Create(string type, string id)
    {
        var derived = DerivedTypes().Single(d => (string)d.TypeDiscriminator! == type).DerivedType;
        var message = (ClientMessage)Activator.CreateInstance(derived)!;
        typeof(ClientMessage).GetProperty(nameof(ClientMessage.Id))!.SetValue(message, id);
        return message;
    }

    [Theory]
    [MemberData(nameof(ClientMessageTypes))]
    public void AllowedBeforeLogin_OnlyRegisterLoginAndPing(string type)
    {
        var allowed = type is MessageTypes.Register or MessageTypes.Login or MessageTypes.Ping;

        Assert.Equal(allowed, AccessPolicy.AllowedBeforeLogin(Create(type, "1")));
    }

    [Fact]
    public void AllowedBeforeLogin_CoversEveryClientMessageType()
    {
        // The theory above runs once per type; make sure the list it reads is the full protocol.
        Assert.Equal(
            [MessageTypes.AesKey, MessageTypes.Register, MessageTypes.Login, MessageTypes.OnlineUserRequest, MessageTypes.Message, MessageTypes.Ping],
            DerivedTypes().Select(d => (string)d.TypeDiscriminator!));
    }
}
