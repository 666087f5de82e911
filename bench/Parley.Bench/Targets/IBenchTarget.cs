namespace Parley.Bench.Targets;

/// <summary>
/// A system under test as the scenarios see it: numbered accounts and connections that send opaque payloads to one
/// another. Parley is one target; the floor (a bare TLS echo) is another; XMPP or MQTT adapters plug in here without a
/// scenario changing.
/// </summary>
public interface IBenchTarget : IAsyncDisposable
{
    /// <summary>Short name for reports: <c>parley</c>, <c>floor</c>.</summary>
    string Kind { get; }

    /// <summary>Where it runs, for reports: <c>parley://127.0.0.1:40123 (spawned)</c>.</summary>
    string Description { get; }

    /// <summary>The server process to sample through /proc, when known.</summary>
    int? ServerProcessId { get; }

    /// <summary>True when the instrument started the server and disposing the target stops it.</summary>
    bool OwnsServer { get; }

    /// <summary>
    /// Whether a receiver gets what a peer sent (<c>true</c>: the message goes to <c>peerIndex</c>) or the echo of
    /// its own message (<c>false</c>: the floor).
    /// </summary>
    bool RoutesToPeer { get; }

    /// <summary>Makes sure accounts <paramref name="first"/> … <paramref name="first"/>+<paramref name="count"/>−1 exist (registering is idempotent).</summary>
    Task PrepareAccountsAsync(int first, int count, CancellationToken cancellationToken);

    /// <summary>Opens a connection authenticated as account <paramref name="index"/>; what arrives for it goes to <paramref name="sink"/>.</summary>
    Task<IBenchClient> ConnectAsync(int index, IMessageSink sink, CancellationToken cancellationToken);
}

/// <summary>One authenticated connection of a target.</summary>
public interface IBenchClient : IAsyncDisposable
{
    int Index { get; }

    bool IsConnected { get; }

    /// <summary>Why the connection ended, once it has.</summary>
    string? CloseReason { get; }

    /// <summary>
    /// Sends <paramref name="payload"/> (ASCII) to account <paramref name="peerIndex"/>. The target copies the payload
    /// before returning, so the caller may reuse its buffer; the task completes when the target has accepted the
    /// message (Parley: the delivery status) and throws <see cref="BenchSendException"/> when it was refused.
    /// </summary>
    ValueTask SendAsync(int peerIndex, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

/// <summary>Receives every payload that arrives for a client. Called from that client's one reader, never concurrently for one receiver.</summary>
public interface IMessageSink
{
    void OnMessage(int receiverIndex, ReadOnlySpan<byte> payload);
}

/// <summary>A sink that drops everything (login-storm connections, idle connections).</summary>
public sealed class NullSink : IMessageSink
{
    public static readonly NullSink Instance = new();

    public void OnMessage(int receiverIndex, ReadOnlySpan<byte> payload)
    {
    }
}

/// <summary>A message the target refused or could not deliver (the recipient was offline, the connection closed, …).</summary>
public sealed class BenchSendException : Exception
{
    public BenchSendException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public BenchSendException()
    {
    }

    public BenchSendException(string message)
        : base(message)
    {
    }
}

/// <summary>A target could not be prepared or connected: the run fails with this one-line reason.</summary>
public sealed class BenchTargetException : Exception
{
    public BenchTargetException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public BenchTargetException()
    {
    }

    public BenchTargetException(string message)
        : base(message)
    {
    }
}
