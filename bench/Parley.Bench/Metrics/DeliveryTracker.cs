using System.Runtime.InteropServices;

namespace Parley.Bench.Metrics;

/// <summary>What one arriving message turned out to be.</summary>
public enum Arrival
{
    /// <summary>First copy, and no later message of the same (sender, receiver) pair came before it.</summary>
    InOrder,

    /// <summary>First copy, but a later message of the same pair had already arrived.</summary>
    Reordered,

    /// <summary>Seen before.</summary>
    Duplicate,

    /// <summary>A sequence number this run never sent (a stray from an earlier trial, or corruption).</summary>
    Unknown,
}

/// <summary>
/// Checks every arrival of one run against what was sent. Sequence numbers are global to the run (0 to count-1, in
/// send order), so one bit per message finds duplicates and, at the end, losses. Order is only promised per
/// (sender, receiver) pair, one path through the server, so each receiver keeps the highest sequence it has seen from
/// each sender. Counts cover only messages of the measured window (sequence ≥ windowFirst); warm-up messages are
/// still tracked so the drain can tell when everything is in.
/// </summary>
/// <remarks>
/// Thread-safe across receivers; calls for one receiver must not overlap (each connection has one reader).
/// </remarks>
public sealed class DeliveryTracker
{
    private readonly long[] _seen;
    private readonly Dictionary<int, long>?[] _highestFrom;
    private long _deliveredAll;
    private long _delivered;
    private long _duplicates;
    private long _reordered;
    private long _unknown;
    private long _arrivals;

    public DeliveryTracker(long messageCount, long windowFirst, int receivers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageCount);
        ArgumentOutOfRangeException.ThrowIfNegative(windowFirst);
        ArgumentOutOfRangeException.ThrowIfNegative(receivers);
        MessageCount = messageCount;
        WindowFirst = windowFirst;
        _seen = new long[(messageCount + 63) / 64];
        _highestFrom = new Dictionary<int, long>?[receivers];
    }

    public long MessageCount { get; }

    public long WindowFirst { get; }

    /// <summary>Messages of the window (sequence ≥ WindowFirst) that were sent.</summary>
    public long WindowCount => Math.Max(0, MessageCount - WindowFirst);

    /// <summary>Distinct window messages received.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Distinct messages received, warm-up included.</summary>
    public long DeliveredAll => Interlocked.Read(ref _deliveredAll);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Reordered => Interlocked.Read(ref _reordered);

    public long Unknown => Interlocked.Read(ref _unknown);

    /// <summary>Every arrival with a valid sequence, any copy, warm-up included: a throughput counter.</summary>
    public long Arrivals => Interlocked.Read(ref _arrivals);

    /// <summary>Window messages sent but never received, out of <paramref name="windowSent"/>.</summary>
    public long Lost(long windowSent) => Math.Max(0, windowSent - Delivered);

    public Arrival Record(int receiver, int sender, long sequence)
    {
        if ((ulong)sequence >= (ulong)MessageCount || (uint)receiver >= (uint)_highestFrom.Length)
        {
            Interlocked.Increment(ref _unknown);
            return Arrival.Unknown;
        }

        Interlocked.Increment(ref _arrivals);
        var inWindow = sequence >= WindowFirst;
        var mask = 1L << (int)(sequence & 63);
        if ((Interlocked.Or(ref _seen[sequence >> 6], mask) & mask) != 0)
        {
            if (inWindow)
            {
                Interlocked.Increment(ref _duplicates);
            }

            return Arrival.Duplicate;
        }

        Interlocked.Increment(ref _deliveredAll);
        if (inWindow)
        {
            Interlocked.Increment(ref _delivered);
        }

        var highest = _highestFrom[receiver] ??= [];
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(highest, sender, out var existed);
        if (existed && sequence < slot)
        {
            if (inWindow)
            {
                Interlocked.Increment(ref _reordered);
            }

            return Arrival.Reordered;
        }

        slot = sequence;
        return Arrival.InOrder;
    }
}
