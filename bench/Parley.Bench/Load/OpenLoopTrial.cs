using System.Diagnostics;
using HdrHistogram;
using Parley.Bench.Metrics;
using Parley.Bench.Targets;

namespace Parley.Bench.Load;

/// <summary>
/// One open-loop run over a fleet: a dedicated thread sends each message at its Poisson-scheduled time, whatever
/// became of the ones before, and stamps it with that scheduled time; latency is measured from it on arrival, so a
/// stall shows as latency of every message that should have gone out meanwhile (no coordinated omission). The
/// server and this process are sampled at the start and the end of the measured window; then the trial waits
/// (at most the drain time) for messages still in flight.
/// </summary>
internal static class OpenLoopTrial
{
    private static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(100);

    public static async Task<TrialResult> RunAsync(
        ClientFleet fleet, bool routesToPeer, TrialSettings settings, int? serverPid, Action<IntervalReport>? onInterval, CancellationToken cancellationToken)
    {
        var schedule = PoissonSchedule.Create(settings.Rate, settings.Warmup, settings.Duration, settings.Seed);
        var tracker = new DeliveryTracker(schedule.Count, schedule.WindowFirst, fleet.Count);
        var recorder = new LatencyRecorder();
        var failures = new SendFailures(schedule.WindowFirst);
        var start = Stopwatch.GetTimestamp() + (long)(Lead.TotalSeconds * Stopwatch.Frequency);
        var sink = new TrialSink(tracker, recorder, schedule, start, settings.Size);
        fleet.Route(sink);

        var driver = Driver.Start(fleet, routesToPeer, schedule, start, settings, failures, cancellationToken);
        var windowStart = start + schedule.WarmupTicks;
        var windowEnd = start + schedule.TotalTicks;

        await DelayUntilAsync(windowStart, cancellationToken);
        var serverStart = serverPid is { } pid ? ProcessSampler.TrySample(pid) : null;
        var generatorStart = GeneratorSample.Take();
        var machineStart = MachineSample.TryTake();
        var arrivalsStart = tracker.Arrivals;

        var intervals = new List<IntervalReport>();
        if (settings.ProgressInterval is { } every && onInterval is not null)
        {
            var period = (long)(every.TotalSeconds * Stopwatch.Frequency);
            var (lastAt, lastArrivals, lastServer) = (Stopwatch.GetTimestamp(), arrivalsStart, serverStart);
            for (var next = windowStart + period; next < windowEnd - (period / 10); next += period)
            {
                await DelayUntilAsync(next, cancellationToken);
                var now = Stopwatch.GetTimestamp();
                var arrivals = tracker.Arrivals;
                var server = serverPid is { } p ? ProcessSampler.TrySample(p) : null;
                var seconds = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                var report = new IntervalReport(
                    Stopwatch.GetElapsedTime(windowStart, now).TotalSeconds,
                    (arrivals - lastArrivals) / seconds,
                    recorder.TakeInterval(),
                    server,
                    server is not null && lastServer is not null ? server.CoresSince(lastServer) : null,
                    LostSoFar(tracker, schedule, start, failures));
                intervals.Add(report);
                onInterval(report);
                (lastAt, lastArrivals, lastServer) = (now, arrivals, server);
            }
        }

        await DelayUntilAsync(windowEnd, cancellationToken);
        var serverEnd = serverPid is { } pid2 ? ProcessSampler.TrySample(pid2) : null;
        var generatorEnd = GeneratorSample.Take();
        var machineEnd = MachineSample.TryTake();
        var arrivalsEnd = tracker.Arrivals;
        var windowSeconds = Stopwatch.GetElapsedTime(generatorStart.Timestamp, generatorEnd.Timestamp).TotalSeconds;

        var sent = await driver.Completion;
        var drainStarted = Stopwatch.GetTimestamp();
        var drainUntil = drainStarted + (long)(settings.Drain.TotalSeconds * Stopwatch.Frequency);
        while (tracker.DeliveredAll + failures.All < sent.All && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(10, cancellationToken);
        }

        var drainSeconds = Stopwatch.GetElapsedTime(drainStarted).TotalSeconds;
        fleet.Route(null);
        if (onInterval is not null && settings.ProgressInterval is not null)
        {
            var tail = recorder.TakeInterval();
            if (tail.Count > 0)
            {
                intervals.Add(new IntervalReport(windowSeconds, 0, tail, null, null, tracker.Lost(sent.Window)));
            }
        }

        return new TrialResult
        {
            Rate = settings.Rate,
            WindowSeconds = windowSeconds,
            ScheduledWindow = schedule.WindowCount,
            Sent = sent.Window,
            SendErrors = failures.Window,
            FirstSendError = failures.First,
            Delivered = tracker.Delivered,
            Lost = tracker.Lost(sent.Window),
            Duplicates = tracker.Duplicates,
            Reordered = tracker.Reordered,
            Stray = tracker.Unknown + sink.Stray,
            ArrivalsInWindow = arrivalsEnd - arrivalsStart,
            DeliveredPerSec = windowSeconds > 0 ? (arrivalsEnd - arrivalsStart) / windowSeconds : 0,
            Latency = recorder.Total(),
            SendLag = sent.Lag,
            DrainSeconds = drainSeconds,
            Disconnected = fleet.Disconnected,
            FirstCloseReason = fleet.FirstCloseReason,
            ServerStart = serverStart,
            ServerEnd = serverEnd,
            GeneratorStart = generatorStart,
            GeneratorEnd = generatorEnd,
            Intervals = intervals,
            MachineStart = machineStart,
            MachineEnd = machineEnd,
        };
    }

    /// <summary>Window messages due more than a second ago that have not arrived: a running loss estimate for progress lines.</summary>
    private static long LostSoFar(DeliveryTracker tracker, PoissonSchedule schedule, long start, SendFailures failures)
    {
        var cutoff = Stopwatch.GetTimestamp() - Stopwatch.Frequency - start;
        var due = Array.BinarySearch(schedule.Offsets, cutoff);
        var dueCount = (due < 0 ? ~due : due) - schedule.WindowFirst;
        return Math.Max(0, dueCount - tracker.Delivered - failures.Window);
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }
    }

    /// <summary>Checks and times every arrival of this trial; anything else (an earlier trial's straggler) is counted as stray.</summary>
    private sealed class TrialSink : IMessageSink
    {
        private readonly DeliveryTracker _tracker;
        private readonly LatencyRecorder _recorder;
        private readonly long[] _offsets;
        private readonly long _windowFirst;
        private readonly long _start;
        private readonly int _size;
        private long _stray;

        public TrialSink(DeliveryTracker tracker, LatencyRecorder recorder, PoissonSchedule schedule, long start, int size)
        {
            _tracker = tracker;
            _recorder = recorder;
            _offsets = schedule.Offsets;
            _windowFirst = schedule.WindowFirst;
            _start = start;
            _size = size;
        }

        public long Stray => Interlocked.Read(ref _stray);

        public void OnMessage(int receiverIndex, ReadOnlySpan<byte> payload)
        {
            var now = Stopwatch.GetTimestamp();
            if (payload.Length != _size
                || !PayloadHeader.TryRead(payload, out var sender, out var sequence, out var scheduled)
                || (ulong)sequence >= (ulong)_offsets.Length
                || scheduled != _start + _offsets[sequence])
            {
                Interlocked.Increment(ref _stray);
                return;
            }

            var arrival = _tracker.Record(receiverIndex, sender, sequence);
            if (arrival is Arrival.InOrder or Arrival.Reordered && sequence >= _windowFirst)
            {
                _recorder.Record(LatencyRecorder.TicksToMicroseconds(now - scheduled));
            }
        }
    }

    /// <summary>Sends that failed; the first reason is kept for the report.</summary>
    private sealed class SendFailures(long windowFirst)
    {
        private long _all;
        private long _window;
        private string? _first;

        public long All => Interlocked.Read(ref _all);

        public long Window => Interlocked.Read(ref _window);

        public string? First => Volatile.Read(ref _first);

        public void Add(long sequence, string reason)
        {
            Interlocked.Increment(ref _all);
            if (sequence >= windowFirst)
            {
                Interlocked.Increment(ref _window);
            }

            Interlocked.CompareExchange(ref _first, reason, null);
        }
    }

    private sealed record DriverTotals(long All, long Window, LatencySummary Lag);

    /// <summary>The sending thread. It never waits for a reply: a send's outcome is observed on the thread pool.</summary>
    private sealed class Driver
    {
        private readonly TaskCompletionSource<DriverTotals> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<DriverTotals> Completion => _done.Task;

        public static Driver Start(
            ClientFleet fleet, bool routesToPeer, PoissonSchedule schedule, long start, TrialSettings settings, SendFailures failures, CancellationToken cancellationToken)
        {
            var driver = new Driver();
            var thread = new Thread(() =>
            {
                try
                {
                    driver._done.TrySetResult(Run(fleet, routesToPeer, schedule, start, settings, failures, cancellationToken));
                }
                catch (Exception ex)
                {
                    driver._done.TrySetException(ex);
                }
            })
            {
                IsBackground = true,
                Name = "open-loop driver",
                Priority = ThreadPriority.AboveNormal,
            };
            thread.Start();
            return driver;
        }

        private static DriverTotals Run(
            ClientFleet fleet, bool routesToPeer, PoissonSchedule schedule, long start, TrialSettings settings, SendFailures failures, CancellationToken cancellationToken)
        {
            PreciseWait.PrepareThread();
            var random = new Random(unchecked((settings.Seed * 31) + 7));
            var buffer = PayloadHeader.CreateBuffer(settings.Size);
            var lag = new LongHistogram(1, LatencyRecorder.HighestMicroseconds, 3);
            var offsets = schedule.Offsets;
            var clients = fleet.Count;
            long all = 0, window = 0;
            for (long i = 0; i < offsets.LongLength && !cancellationToken.IsCancellationRequested; i++)
            {
                var due = start + offsets[i];
                PreciseWait.Until(due);
                var sender = random.Next(clients);
                var peer = sender;
                if (routesToPeer && clients > 1)
                {
                    peer = random.Next(clients - 1);
                    if (peer >= sender)
                    {
                        peer++;
                    }
                }

                PayloadHeader.Write(buffer, sender, i, due);
                all++;
                if (i >= schedule.WindowFirst)
                {
                    window++;
                    lag.RecordValue(Math.Clamp(LatencyRecorder.TicksToMicroseconds(Stopwatch.GetTimestamp() - due), 1, LatencyRecorder.HighestMicroseconds));
                }

                var client = fleet[sender];
                if (!client.IsConnected)
                {
                    failures.Add(i, $"sender disconnected: {client.CloseReason}");
                    continue;
                }

                ValueTask pending;
                try
                {
                    pending = client.SendAsync(fleet.First + peer, buffer, cancellationToken);
                }
                catch (Exception ex)
                {
                    failures.Add(i, ex.Message);
                    continue;
                }

                if (pending.IsCompletedSuccessfully)
                {
                    pending.GetAwaiter().GetResult();
                }
                else
                {
                    _ = ObserveAsync(pending, i, failures);
                }
            }

            return new DriverTotals(all, window, LatencySummary.Of(lag));
        }

        private static async Task ObserveAsync(ValueTask pending, long sequence, SendFailures failures)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failures.Add(sequence, ex.Message);
            }
        }
    }
}
