using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class FakeTimeProviderTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Advance_And_SetUtcNow_MoveTheClockForwardOnly()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 3, 0, 30, 0, TimeSpan.FromHours(8)));
        Assert.AreEqual(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.AreEqual(TimeSpan.Zero, clock.GetUtcNow().Offset);
        var t0 = clock.GetTimestamp();

        clock.Advance(TimeSpan.FromHours(2));
        Assert.AreEqual(new DateTimeOffset(2024, 5, 2, 18, 30, 0, TimeSpan.Zero), clock.UtcNow);
        Assert.AreEqual(TimeSpan.FromHours(2), clock.GetElapsedTime(t0));

        clock.UtcNow = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.AreEqual(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), clock.GetUtcNow());

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => clock.SetUtcNow(new DateTimeOffset(2024, 5, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
    }

    [TestMethod]
    public void GetLocalNow_UsesTheSetZone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero));
        Assert.AreEqual(TimeZoneInfo.Utc, clock.LocalTimeZone);

        clock.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

        Assert.AreEqual(new DateTimeOffset(2024, 5, 3, 0, 30, 0, TimeSpan.FromHours(8)), clock.GetLocalNow());
        Assert.AreEqual(TimeSpan.FromHours(8), clock.GetLocalNow().Offset);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Delay_CompletesOnlyWhenTheClockPassesItsDueTime()
    {
        var clock = new FakeTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock, TestContext.CancellationToken);
        Assert.AreEqual(1, clock.ActiveTimers);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.IsFalse(delay.IsCompleted);

        clock.Advance(TimeSpan.FromMinutes(1));
        await delay.WaitAsync(TestContext.CancellationToken);
        Assert.AreEqual(0, clock.ActiveTimers);
    }

    [TestMethod]
    public void CreateTimer_Periodic_FiresInOrderAtEachDueTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var fired = new List<(string Name, DateTimeOffset At)>();
        using var every10 = clock.CreateTimer(_ => fired.Add(("10", clock.GetUtcNow())), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        using var once25 = clock.CreateTimer(_ => fired.Add(("25", clock.GetUtcNow())), null, TimeSpan.FromSeconds(25), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(35));

        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        CollectionAssert.AreEqual(
            new[] { ("10", start.AddSeconds(10)), ("10", start.AddSeconds(20)), ("25", start.AddSeconds(25)), ("10", start.AddSeconds(30)) },
            fired);
        Assert.AreEqual(start.AddSeconds(35), clock.GetUtcNow());

        every10.Dispose();
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.HasCount(4, fired);
    }

    [TestMethod]
    public void CreateTimer_ChangeAndDispose_AreHonoured()
    {
        var clock = new FakeTimeProvider();
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.AreEqual(0, count);

        Assert.IsTrue(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.AreEqual(1, count);

        Assert.IsTrue(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        Assert.AreEqual(1, count);
        clock.Advance(TimeSpan.Zero);
        Assert.AreEqual(2, count);

        timer.Dispose();
        Assert.IsFalse(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.AreEqual(2, count);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task CancellationTokenSource_CancelsAfterFakeDelay()
    {
        var clock = new FakeTimeProvider();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.IsFalse(cts.IsCancellationRequested);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.IsTrue(cts.IsCancellationRequested);
        await Task.CompletedTask;
    }
}
