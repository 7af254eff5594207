namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>The worker's lifetime under the host: clean shutdown, and giving up after repeated crashes.</summary>
[TestClass]
public sealed class HostLifecycleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Sigterm_WorkerTerminatedAndHostExitsZero()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var worker = host.WorkerProcessIds().Single();
        Assert.IsTrue(HostUnderTest.IsRunning(worker));

        host.Terminate();
        var exitCode = await host.WaitForExitAsync(ct);

        Assert.AreEqual(0, exitCode, host.Output);
        Assert.IsFalse(HostUnderTest.IsRunning(worker), "the worker process was left behind");
    }

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    public async Task WorkerCrashesMoreThanThreeTimes_HostExitsNonZeroWithMessage()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var queue = host.Queue("TextQueue");

        // Each id crashes the worker once (one at a time, so that every one of them does); the fourth
        // crash within 30 minutes is one too many.
        for (var i = 0; i < 4; i++)
        {
            await queue.SendMessageAsync($"crash:{i}", ct);
            var crashes = i + 1;
            while (System.Text.RegularExpressions.Regex.Count(host.Output, "The worker process exited with code 3") < crashes && !host.HasExited)
            {
                await Task.Delay(50, ct);
            }
        }

        var exitCode = await host.WaitForExitAsync(ct);

        Assert.AreNotEqual(0, exitCode);
        StringAssert.Contains(host.Output, "The worker failed more than 3 times in 30 minutes. Stopping the host.");
        Assert.IsTrue(host.WorkerProcessIds().All(pid => !HostUnderTest.IsRunning(pid)), "a worker process was left behind");
    }
}
