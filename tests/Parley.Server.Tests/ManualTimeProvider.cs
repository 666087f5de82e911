namespace Parley.Server.Tests;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>. Timers due by then fire synchronously inside
/// <see cref="Advance"/>, in due order, on the calling thread, so deadline tests need neither sleeps nor races.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _scheduled = [];
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset? start = null) => _now = start ?? DefaultStart;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers created and neither fired (one-shot), disposed nor stopped.</summary>
    public int ScheduledTimers
    {
        get
        {
            lock (_lock)
            {
                return _scheduled.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _scheduled.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.DueAt > _now ? due.DueAt : _now;
                _scheduled.Remove(due);
                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt += due.Period;
                    _scheduled.Add(due);
                }
            }

            // Outside the lock: a callback may create or change timers.
            due.Fire();
        }
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            _scheduled.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.DueAt = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            _scheduled.Add(timer);
        }
    }

    private void Unschedule(ManualTimer timer)
    {
        lock (_lock)
        {
            _scheduled.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            owner.Unschedule(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
