using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>
/// Azurite stopped and started again under a running pipeline (same ports, same data): every HTTP function answers
/// 503 with Retry-After and problem details that name no internals while it is down, and a sync that was running
/// completes once it is back.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class StorageOutageTests
{
    private const int Entities = 40;
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        stack = await PipelineStack.StartAsync(Entities, null, context.CancellationToken);
        await FaultSteps.ImportRegistryAsync(stack, Entities, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task StorageDown_EveryKindOfCallAnswers503WithRetryAfter_ThenServesAgain()
    {
        var ct = TestContext.CancellationToken;
        using var supplier = new HttpClient { BaseAddress = stack.Functions.BaseAddress };
        supplier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_" + new string('0', 24) + "_" + new string('A', 43));

        await stack.Storage.StopAsync();
        try
        {
            // A read, a write, and a supplier key (looked up in storage before the function runs).
            using (var read = await stack.Staff.GetAsync("api/sync-runs/latest", ct))
            {
                FaultSteps.AssertUnavailable(read, await read.Content.ReadAsStringAsync(ct));
            }

            using (var write = await stack.Staff.PutAsync("api/suppliers", new StringContent("id,name,kind\n", Encoding.UTF8, "text/csv"), ct))
            {
                FaultSteps.AssertUnavailable(write, await write.Content.ReadAsStringAsync(ct));
            }

            using (var keyed = await supplier.GetAsync("api/me/violations", ct))
            {
                FaultSteps.AssertUnavailable(keyed, await keyed.Content.ReadAsStringAsync(ct));
            }
        }
        finally
        {
            await stack.Storage.RestartAsync(ct);
        }

        using var again = await stack.Staff.GetAsync("api/violations", ct);
        Assert.AreEqual(HttpStatusCode.OK, again.StatusCode, await again.Content.ReadAsStringAsync(ct));
    }

    /// <remarks>
    /// Usually the run completes within a minute of storage coming back. A batch whose invocation failed while storage was
    /// down, and whose release (visibility back to host.json's <c>visibilityTimeout</c>) failed too, stays invisible until
    /// its 10-minute receive lease ends — as with the real Functions host — so the wait allows for one lease.
    /// </remarks>
    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public async Task StorageStoppedDuringSync_RunCompletesOnceItIsBack()
    {
        var ct = TestContext.CancellationToken;
        await FaultSteps.SetPlatformLatencyAsync(stack, 700, ct);
        try
        {
            var started = await FaultSteps.StartSyncAsync(stack, batchesDone: 1, ct);
            Assert.AreEqual("running", (string?)started["status"], "the run finished before storage could be stopped: " + started.ToJsonString());

            await stack.Storage.StopAsync();
            try
            {
                // Down for a few seconds while batches are being fetched and written.
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
            }
            finally
            {
                await stack.Storage.RestartAsync(ct);
            }

            var (run, _) = await FaultSteps.WaitForRunAsync(stack, (string)started["runId"]!, TimeSpan.FromMinutes(12), ct);
            Assert.AreEqual("completed", (string?)run["status"], run.ToJsonString());
            Assert.AreEqual("all_synced", (string?)run["outcome"], run.ToJsonString());
            Assert.AreEqual(Entities, (int)run["entitiesSynced"]!, run.ToJsonString());
            Assert.AreEqual(0, (int)run["entitiesFailed"]!, run.ToJsonString());
        }
        finally
        {
            await FaultSteps.SetPlatformLatencyAsync(stack, 0, ct);
        }
    }
}
