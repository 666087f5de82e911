using System.Collections.Concurrent;
using Parley.Protocol.Messages;
using Parley.Server.Storage;

namespace Parley.Server.Sessions;

/// <summary>
/// Who is online and on which sessions. Logins and logouts change it under one lock (they are rare next to
/// messages); lookups for routing are lock-free reads of concurrent dictionaries.
/// </summary>
internal sealed class SessionRegistry
{
    private readonly Lock _gate = new();
    private readonly VirtualIpPool _addresses;
    private readonly ConcurrentDictionary<Guid, OnlineUserState> _byId = new();
    // Usernames are ASCII, so ordinal ignore-case is exactly the uniqueness rule, without allocating per lookup.
    private readonly ConcurrentDictionary<string, OnlineUserState> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Session, byte> _sessions = new();
    private ProtocolError? _closedWith;

    public SessionRegistry(VirtualIpPool addresses) => _addresses = addresses;

    public int OnlineCount => _byId.Count;

    public ICollection<OnlineUserState> OnlineUsers => _byId.Values;

    /// <summary>Every live session, logged in or not.</summary>
    public ICollection<Session> AllSessions => _sessions.Keys;

    /// <summary>Tracks a session after its key exchange; once <see cref="CloseAll"/> has run, closes it at once.</summary>
    public void Track(Session session)
    {
        _sessions.TryAdd(session, 0);
        // Read after the add: either CloseAll's sweep sees this session or this sees CloseAll's error (or both).
        if (Volatile.Read(ref _closedWith) is { } error)
        {
            session.CloseWithError(error);
        }
    }

    /// <summary>Sends <paramref name="error"/> to every session and to every one tracked from now on (server shutdown).</summary>
    public void CloseAll(ProtocolError error)
    {
        Volatile.Write(ref _closedWith, error);
        foreach (var session in _sessions.Keys)
        {
            session.CloseWithError(error);
        }
    }

    /// <summary>
    /// Attaches a logged-in session to its user, handing out a virtual IP if this is the user's first session.
    /// Returns null when the address pool is exhausted.
    /// </summary>
    public AttachResult? Attach(Session session, UserRecord user)
    {
        lock (_gate)
        {
            var first = !_byId.TryGetValue(user.Id, out var state);
            if (first)
            {
                if (!_addresses.TryAcquire(out var address))
                {
                    return null;
                }

                state = new OnlineUserState(user, address);
                _byId[user.Id] = state;
                _byName[user.Username] = state;
            }

            state!.AddSession(session);
            session.AttachTo(state);
            return new AttachResult(state, first);
        }
    }

    /// <summary>Forgets a session. Returns the user's state when this was their last session (they are now offline).</summary>
    public OnlineUserState? Detach(Session session)
    {
        _sessions.TryRemove(session, out _);
        if (session.Presence is not { } state)
        {
            return null;
        }

        lock (_gate)
        {
            if (state.RemoveSession(session) > 0)
            {
                return null;
            }

            _byId.TryRemove(state.User.Id, out _);
            _byName.TryRemove(state.User.Username, out _);
            _addresses.Release(state.VirtualIp);
            return state;
        }
    }

    /// <summary>Finds an online user by id or by username (any case).</summary>
    public bool TryFind(string userIdOrName, out OnlineUserState state)
    {
        if (TryParseUserId(userIdOrName, out var id))
        {
            return _byId.TryGetValue(id, out state!);
        }

        return _byName.TryGetValue(userIdOrName, out state!);
    }

    /// <summary>
    /// Whether a recipient names a user by id: only in the 36-character form the server sends as user_id. Other GUID
    /// forms are not ids here, because 32 hex digits are also a valid username.
    /// </summary>
    internal static bool TryParseUserId(string userIdOrName, out Guid id) => Guid.TryParseExact(userIdOrName, "D", out id);
}

internal sealed record AttachResult(OnlineUserState State, bool FirstSession);
