namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>
/// A hand-written fake clock (Microsoft.Extensions.TimeProvider.Testing is not available here).
/// Time moves only when a test says so: <see cref="SetUtcNow"/> or <see cref="Advance"/>. Timers created
/// through it (so <c>Task.Delay(d, fake)</c>, <c>CancellationTokenSource(d, fake)</c>, <c>PeriodicTimer</c>)
/// fire, in due order, when the clock reaches their due time. Thread-safe.
/// </summary>
internal sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<FakeTimer> timers = [];
    private DateTimeOffset utcNow;
    private TimeZoneInfo localTimeZone = TimeZoneInfo.Utc;

    /// <summary>A clock at 2024-01-01T00:00Z.</summary>
    public FakeTimeProvider()
        : this(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>A clock at <paramref name="start"/> (any offset; kept as UTC).</summary>
    public FakeTimeProvider(DateTimeOffset start) => utcNow = start.ToUniversalTime();

    /// <summary>The zone <see cref="TimeProvider.GetLocalNow"/> uses. Default: UTC.</summary>
    public override TimeZoneInfo LocalTimeZone
    {
        get
        {
            lock (gate)
            {
                return localTimeZone;
            }
        }
    }

    /// <summary>The current time; the same as <see cref="GetUtcNow"/>.</summary>
    public DateTimeOffset UtcNow
    {
        get => GetUtcNow();
        set => SetUtcNow(value);
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Sets the local zone.</summary>
    public void SetLocalTimeZone(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        lock (gate)
        {
            localTimeZone = zone;
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return utcNow;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (gate)
        {
            return utcNow.UtcTicks;
        }
    }

    /// <summary>Moves the clock to <paramref name="value"/>, firing the timers due by then. Time never goes back.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        var target = value.ToUniversalTime();
        lock (gate)
        {
            if (target < utcNow)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The fake clock does not go back.");
            }
        }

        RunUntil(target);
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing the timers due by then.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (gate)
        {
            target = utcNow + delta;
        }

        RunUntil(target);
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How many timers are armed (useful to wait until code under test has started a delay).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (gate)
            {
                return timers.Count(t => t.DueAt is not null);
            }
        }
    }

    // Fires due timers one at a time in due order, moving the clock to each one's due time first,
    // so a callback sees the time it was due at. Callbacks run outside the lock.
    private void RunUntil(DateTimeOffset target)
    {
        while (true)
        {
            FakeTimer? next = null;
            lock (gate)
            {
                foreach (var timer in timers)
                {
                    if (timer.DueAt is { } due && due <= target && (next is null || due < next.DueAt))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    utcNow = target > utcNow ? target : utcNow;
                    return;
                }

                utcNow = next.DueAt!.Value > utcNow ? next.DueAt.Value : utcNow;
                next.DueAt = next.Period is { } period ? utcNow + period : null;
            }

            next.Fire();
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool disposed; // guarded by owner.gate, as are the properties

        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner.gate)
            {
                if (disposed)
                {
                    return false;
                }

                if (!owner.timers.Contains(this))
                {
                    owner.timers.Add(this);
                }

                // A timer due now fires on the next Advance or SetUtcNow (Advance(TimeSpan.Zero) will do),
                // never inside Change: callers do not expect their callback before CreateTimer returns.
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.utcNow + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner.gate)
            {
                disposed = true;
                owner.timers.Remove(this);
                DueAt = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
