using Parley.Client;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests.Infrastructure;

public static class EventWaits
{
    /// <summary>Reads events until one of type <typeparamref name="T"/> matches, skipping others; fails on timeout.</summary>
    public static async Task<T> NextAsync<T>(this ParleyConnection connection, Func<T, bool>? match = null)
        where T : ServerMessage
    {
        var token = Timeouts.Token();
        while (true)
        {
            var message = await connection.Events.ReadAsync(token);
            if (message is T typed && (match is null || match(typed)))
            {
                return typed;
            }
        }
    }

    /// <summary>Waits for the connection to end and returns why.</summary>
    public static Task<ParleyCloseReason> ClosedAsync(this ParleyConnection connection) =>
        connection.Completion.WaitAsync(Timeouts.Default);
}
