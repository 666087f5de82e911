using System.Net;
using Parley.Protocol.Messages;
using Parley.Server.Storage;

namespace Parley.Server.Sessions;

/// <summary>
/// A user who is online here: their virtual IP and their live sessions. The session list is a copy-on-write
/// array replaced under the registry's lock, so routing reads it without locking.
/// </summary>
internal sealed class OnlineUserState
{
    private Session[] _sessions = [];

    public OnlineUserState(UserRecord user, IPAddress virtualIp)
    {
        User = user;
        VirtualIp = virtualIp;
        Entry = new OnlineUser
        {
            UserId = user.Id.ToString(),
            Username = user.Username,
            VirtualIp = virtualIp.ToString(),
            ServerId = user.HomeServerId,
        };
    }

    public UserRecord User { get; }
    public IPAddress VirtualIp { get; }

    /// <summary>This user as the online list shows them; built once.</summary>
    public OnlineUser Entry { get; }

    /// <summary>A snapshot of the live sessions; a span, so routing walks it without an enumerator per message.</summary>
    public ReadOnlySpan<Session> Sessions => Volatile.Read(ref _sessions);

    /// <summary>Adds a session; the caller holds the registry's lock.</summary>
    internal void AddSession(Session session) => Volatile.Write(ref _sessions, [.. _sessions, session]);

    /// <summary>Removes a session and returns how many remain; the caller holds the registry's lock.</summary>
    internal int RemoveSession(Session session)
    {
        var remaining = Array.FindAll(_sessions, s => !ReferenceEquals(s, session));
        Volatile.Write(ref _sessions, remaining);
        return remaining.Length;
    }

    public UserStatusEvent StatusEvent(string status) => new()
    {
        UserId = Entry.UserId,
        Username = Entry.Username,
        Status = status,
        VirtualIp = Entry.VirtualIp,
        ServerId = Entry.ServerId,
    };
}
