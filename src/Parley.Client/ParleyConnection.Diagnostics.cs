namespace Parley.Client;

// For diagnostics and hostile-peer tests only: these send whatever they are given, so a server's handling of
// malformed input can be exercised through a real, handshaken connection. Applications never need them.
public sealed partial class ParleyConnection
{
    /// <summary>
    /// <b>For diagnostics and tests.</b> Seals <paramref name="json"/> (any bytes, valid JSON or not) as one frame and
    /// completes once it has been flushed to the stream. A reply, if any, is not awaited: an <c>error</c> reply that
    /// matches no pending request appears on <see cref="Events"/>.
    /// </summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new Outgoing(json.ToArray(), Sealed: true, Sensitive: false, written), cancellationToken).ConfigureAwait(false);
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <b>For diagnostics and tests.</b> Seals <paramref name="json"/> as one frame and returns the reply whose id is
    /// <paramref name="id"/>, an <see cref="Protocol.Messages.ErrorReply"/> included (nothing is thrown for it). The
    /// caller must put that id in the JSON; ids this connection chooses are decimal counters, so pick another form.
    /// </summary>
    public Task<Protocol.Messages.ServerReply> RequestRawAsync(string id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return SendRequestAsync(id, json.ToArray(), "a raw request", sensitive: false, cancellationToken);
    }

    /// <summary>
    /// <b>For diagnostics and tests.</b> Writes <paramref name="bytes"/> straight onto the TLS stream, bypassing framing
    /// and sealing (between whole queued frames, never inside one), and completes once they have been flushed. Use it
    /// to send a bad length prefix, an unsealed frame or garbage; the server is expected to close the connection.
    /// </summary>
    public async Task WriteUnsealedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (bytes.IsEmpty)
        {
            return;
        }

        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new Outgoing(bytes.ToArray(), Sealed: false, Sensitive: false, written), cancellationToken).ConfigureAwait(false);
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
