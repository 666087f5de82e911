using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Routing;
using Parley.Server.Sessions;

namespace Parley.Server.Handlers;

/// <summary>Sends each decoded request to the handler for its type, after the access check.</summary>
internal sealed class RequestDispatcher
{
    private readonly AccountHandler _accounts;
    private readonly MessageRouter _router;

    public RequestDispatcher(AccountHandler accounts, MessageRouter router)
    {
        _accounts = accounts;
        _router = router;
    }

    public async ValueTask DispatchAsync(Session session, ClientMessage message, CancellationToken cancellationToken)
    {
        if (session.User is null && !AccessPolicy.AllowedBeforeLogin(message))
        {
            session.TryReply(new ErrorReply { Id = message.Id, Code = ErrorCodes.NotAuthenticated, Message = "Log in first." });
            return;
        }

        switch (message)
        {
            case RegisterRequest register:
                await _accounts.RegisterAsync(session, register, cancellationToken);
                break;
            case LoginRequest login:
                await _accounts.LoginAsync(session, login, cancellationToken);
                break;
            case PingRequest ping:
                session.TryReply(new PongReply { Id = ping.Id });
                break;
            case OnlineUsersRequest list:
                session.TryReply(new OnlineUsersResponse { Id = list.Id, Users = _router.OnlineUsers() });
                break;
            case SendMessageRequest send:
                if (await _router.SendDirectAsync(session, send, cancellationToken) is { } outcome)
                {
                    session.TryReply(outcome);
                }

                break;
            default:
                // aes_key after the handshake, or a type this dispatcher does not serve.
                session.TryReply(new ErrorReply
                {
                    Id = message.Id,
                    Code = ErrorCodes.BadMessage,
                    Message = "That message is not valid at this point of the session.",
                });
                break;
        }
    }
}
