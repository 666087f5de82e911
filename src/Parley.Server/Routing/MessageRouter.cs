using System.Text;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Messages;
using Parley.Server.Configuration;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Microsoft.Extensions.Options;

namespace Parley.Server.Routing;

/// <summary>
/// The one component that moves messages between sessions. A direct message goes through two steps:
/// <see cref="Accept"/> (resolve the recipient, stamp the server-set fields) and <see cref="Queue"/> (serialize
/// once, queue to every session of the recipient). A durability step belongs between the two: it receives the
/// accepted envelope and neither step needs to change.
/// </summary>
internal sealed class MessageRouter
{
    private readonly SessionRegistry _registry;
    private readonly IUserStore _users;
    private readonly TimeProvider _time;
    private readonly int _maxTextBytes;
    private readonly int _maxFrameBytes;

    public MessageRouter(SessionRegistry registry, IUserStore users, TimeProvider time, IOptions<ParleyServerOptions> options)
    {
        _registry = registry;
        _users = users;
        _time = time;
        _maxTextBytes = options.Value.MaxTextBytes;
        _maxFrameBytes = options.Value.MaxFrameBytes;
    }

    /// <summary>
    /// Routes a direct message from a logged-in session and returns what the sender is told: null when the message
    /// was delivered and the sender asked to hear only of failures (<c>"ack": "failures"</c>).
    /// </summary>
    public async ValueTask<ServerReply?> SendDirectAsync(Session sender, SendMessageRequest request, CancellationToken cancellationToken)
    {
        var text = request.Payload!;
        if (Encoding.UTF8.GetByteCount(text) > _maxTextBytes)
        {
            return TooLarge(request, $"The message text exceeds the server's limit of {_maxTextBytes} UTF-8 bytes (MaxTextBytes).");
        }

        if (!_registry.TryFind(request.To!, out var recipient))
        {
            var known = await FindUserAsync(request.To!, cancellationToken);
            return new DeliveryStatusReply
            {
                Id = request.Id,
                To = known?.Username ?? request.To!,
                ToId = known?.Id.ToString(),
                Status = known is null ? DeliveryStates.UnknownUser : DeliveryStates.Offline,
            };
        }

        var envelope = Accept(sender, recipient, text);
        var json = ServerMessageCodec.Encode(envelope);
        if (FrameSealer.SealedFrameSize(json.Length) - ProtocolConstants.LengthPrefixSize > _maxFrameBytes)
        {
            // Escaped control characters can make the delivered frame larger than any peer accepts.
            return TooLarge(request, $"The message, once encoded, exceeds the frame limit of {_maxFrameBytes} bytes (MaxFrameBytes).");
        }

        var delivered = Queue(json, recipient) > 0;
        if (delivered && !request.WantsAckForDelivered)
        {
            return null;
        }

        // A message no session took is gone (nothing stores it yet): answer as for an offline user, with no id.
        return new DeliveryStatusReply
        {
            Id = request.Id,
            MessageId = delivered ? envelope.MessageId : null,
            To = envelope.To,
            ToId = envelope.ToId,
            Status = delivered ? DeliveryStates.Delivered : DeliveryStates.Offline,
        };
    }

    /// <summary>Tells every other online user that <paramref name="user"/> came online or went offline.</summary>
    public void PublishPresence(OnlineUserState user, string status)
    {
        var json = ServerMessageCodec.Encode(user.StatusEvent(status));
        foreach (var other in _registry.OnlineUsers)
        {
            if (other.User.Id != user.User.Id)
            {
                Queue(json, other, deferrable: true);
            }
        }
    }

    public IReadOnlyList<OnlineUser> OnlineUsers() => [.. _registry.OnlineUsers.Select(u => u.Entry).OrderBy(u => u.Username, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Every sender field comes from the session, never from the request.</summary>
    private ChatMessage Accept(Session sender, OnlineUserState recipient, string text)
    {
        var from = sender.User!;
        var now = _time.GetUtcNow();
        return new ChatMessage
        {
            MessageId = MessageIds.Next(now).ToString(),
            From = from.Username,
            FromId = from.Id.ToString(),
            FromServer = from.HomeServerId,
            To = recipient.User.Username,
            ToId = recipient.Entry.UserId,
            Payload = text,
            Timestamp = now,
        };
    }

    private static ErrorReply TooLarge(SendMessageRequest request, string message) =>
        new() { Id = request.Id, Code = ErrorCodes.TooLarge, Message = message };

    /// <summary>Fan-out: the one serialization is queued to every session of the recipient; each seals its own copy.</summary>
    private static int Queue(byte[] json, OnlineUserState recipient, bool deferrable = false)
    {
        var reached = 0;
        foreach (var session in recipient.Sessions)
        {
            if (session.TryEnqueue(json, deferrable))
            {
                reached++;
            }
        }

        return reached;
    }

    private Task<UserRecord?> FindUserAsync(string userIdOrName, CancellationToken cancellationToken) =>
        SessionRegistry.TryParseUserId(userIdOrName, out var id)
            ? _users.FindByIdAsync(id, cancellationToken)
            : _users.FindByUsernameAsync(userIdOrName, cancellationToken);
}
