namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>
/// The one way tests wait for something that happens in another process or on another thread: poll a condition
/// until it holds or a deadline passes (then fail with what was awaited), never a fixed sleep.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(250);

    /// <summary>Polls <paramref name="condition"/> until it returns true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<CancellationToken, Task<bool>> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await UntilAsync<bool>(async ct => await condition(ct) ? true : null, what, cancellationToken, timeout);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value (not null) and returns it; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T?>> probe, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var pause = FirstPause;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe(cancellationToken) is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow < deadline)
            {
                last = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"waited {(timeout ?? DefaultTimeout).TotalSeconds:F0} s for {what}", last);
            }

            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <summary>As <see cref="UntilAsync{T}"/> for reference results.</summary>
    public static async Task<T> UntilNotNullAsync<T>(Func<CancellationToken, Task<T?>> probe, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? found = null;
        await UntilAsync(async ct => (found = await probe(ct)) is not null, what, cancellationToken, timeout);
        return found!;
    }
}
