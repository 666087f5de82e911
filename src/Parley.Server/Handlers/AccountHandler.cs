using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Accounts;
using Parley.Server.Configuration;
using Parley.Server.Routing;
using Parley.Server.Security;
using Parley.Server.Sessions;

namespace Parley.Server.Handlers;

/// <summary>REGISTER and LOGIN: account creation, authentication, and attaching the session to its user.</summary>
internal sealed class AccountHandler
{
    private readonly AccountService _accounts;
    private readonly SessionRegistry _registry;
    private readonly MessageRouter _router;
    private readonly ServerIdentity _identity;
    private readonly int _maxLoginAttempts;
    private readonly ILogger<AccountHandler> _logger;

    public AccountHandler(
        AccountService accounts,
        SessionRegistry registry,
        MessageRouter router,
        ServerIdentity identity,
        IOptions<ParleyServerOptions> options,
        ILogger<AccountHandler> logger)
    {
        _accounts = accounts;
        _registry = registry;
        _router = router;
        _identity = identity;
        _maxLoginAttempts = options.Value.MaxLoginAttempts;
        _logger = logger;
    }

    public async ValueTask RegisterAsync(Session session, RegisterRequest request, CancellationToken cancellationToken)
    {
        var outcome = await _accounts.RegisterAsync(request.Username!, request.Password!, cancellationToken);
        if (outcome.Status == RegisterStatus.Created)
        {
            var user = outcome.User!;
            ServerLog.Registered(_logger, user.Username, user.Id);
            session.TryReply(new RegisterResponse
            {
                Id = request.Id,
                UserId = user.Id.ToString(),
                Username = user.Username,
                ServerId = user.HomeServerId,
            });
            return;
        }

        var (code, message) = outcome.Status switch
        {
            RegisterStatus.InvalidUsername => (ErrorCodes.InvalidUsername, outcome.Reason!),
            RegisterStatus.WeakPassword => (ErrorCodes.WeakPassword, outcome.Reason!),
            _ => (ErrorCodes.UsernameTaken, "That username is taken; choose another."),
        };
        ServerLog.RequestRefused(_logger, MessageTypes.Register, code);
        session.TryReply(new ErrorReply { Id = request.Id, Code = code, Message = message });
    }

    public async ValueTask LoginAsync(Session session, LoginRequest request, CancellationToken cancellationToken)
    {
        if (session.User is not null)
        {
            session.TryReply(new ErrorReply
            {
                Id = request.Id,
                Code = ErrorCodes.AlreadyAuthenticated,
                Message = "This connection is already logged in; open another connection for another session.",
            });
            return;
        }

        var user = await _accounts.AuthenticateAsync(request.Username!, request.Password!, cancellationToken);
        if (user is null)
        {
            session.FailedLogins++;
            ServerLog.LoginFailed(_logger, session.FailedLogins);
            if (session.FailedLogins >= _maxLoginAttempts)
            {
                session.CloseWithError(new ProtocolError(
                    ErrorCodes.TooManyAttempts, $"Too many failed logins ({_maxLoginAttempts}); the connection is closed."));
                return;
            }

            // The same answer for an unknown user and a wrong password, so usernames cannot be probed.
            session.TryReply(new ErrorReply { Id = request.Id, Code = ErrorCodes.InvalidCredentials, Message = "Wrong username or password." });
            return;
        }

        // The session may have closed while bcrypt ran (its login deadline passed, the server is stopping): it must not
        // come online, or everyone would see the user flash online and offline for a login they were never told of.
        if (session.IsClosing)
        {
            return;
        }

        var attached = _registry.Attach(session, user);
        if (attached is null)
        {
            ServerLog.AddressPoolExhausted(_logger, user.Username);
            session.TryReply(new ErrorReply
            {
                Id = request.Id,
                Code = ErrorCodes.AddressPoolExhausted,
                Message = "The server has no free virtual IP address; try again later.",
            });
            return;
        }

        var state = attached.State;
        ServerLog.LoggedIn(_logger, user.Username, state.Entry.VirtualIp, state.Sessions.Length);
        session.TryReply(new LoginResponse
        {
            Id = request.Id,
            UserId = state.Entry.UserId,
            Username = user.Username,
            VirtualIp = state.Entry.VirtualIp,
            ServerId = _identity.ServerId,
            ServerName = _identity.ServerName,
        });
        if (attached.FirstSession)
        {
            _router.PublishPresence(state, PresenceStates.Online);
        }
    }
}
