using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Sync;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.EndToEnd;

/// <summary>
/// A batch the platform fails on every delivery, under the local Functions host: each delivery of
/// <c>SyncSupplierBatch</c> fails, the host moves the message to <c>sync-batches-poison</c> after
/// <c>maxDequeueCount</c> (host.json), and <c>RecordFailedSyncBatch</c> counts its entities as failed so the run
/// finishes. Its own stack: the simulator answers 5xx for the whole class.
/// </summary>
[TestClass]
public sealed class SyncPoisonEndToEndTests
{
    private const int Entities = 3;
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // One attempt per delivery: the host's redeliveries are what is under test, not the client's retries.
        stack = await PipelineStack.StartAsync(Entities, new Dictionary<string, string?> { ["PublicData__MaxAttempts"] = "1" }, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task Batch_FailingEveryDelivery_GoesToPoisonAndCountsAsFailedInItsRun()
    {
        var ct = TestContext.CancellationToken;
        var csv = await stack.Simulator.GetStringAsync($"sim/registry.csv?count={Entities}", ct);
        using var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        import.EnsureSuccessStatusCode();
        using var faults = await stack.Simulator.PutAsJsonAsync("sim/faults", new { rate5xx = 1.0 }, ct);
        faults.EnsureSuccessStatusCode();

        // The run is started as ScheduleSupplierSync starts it, minus the change-feed call the faults would fail.
        await using var services = SchedulerServices();
        var started = await services.GetRequiredService<SyncScheduler>().StartFullRunAsync(ct);
        Assert.AreEqual(Entities, started.EntitiesTotal);

        var run = await WaitForRunToFinishAsync(started.RunId, ct);

        Assert.AreEqual("completed", (string?)run["status"], stack.HostOutput);
        Assert.AreEqual("none_synced", (string?)run["outcome"], "a run that reached every entity but synced none says so");
        Assert.AreEqual(Entities, (int)run["entitiesFailed"]!, "every entity of the poisoned batches");
        Assert.AreEqual(0, (int)run["entitiesSynced"]!);
        Assert.AreEqual(started.BatchesTotal, (int)run["batchesDone"]!);
    }

    private static ServiceProvider SchedulerServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<PipelineOptions>();
        services.AddOptions<TargetsOptions>();
        services.AddPipelineStorage(stack.StorageConnectionString);
        services.AddSingleton<SyncScheduler>();
        return services.BuildServiceProvider();
    }

    private static async Task<JsonObject> WaitForRunToFinishAsync(string runId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(150);
        while (true)
        {
            using var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, stack.HostOutput);
            var run = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
            Assert.AreEqual(runId, (string?)run["runId"]);
            if ((string?)run["status"] != "running")
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {runId} is still running: {run.ToJsonString()}{Environment.NewLine}{stack.HostOutput}");
            }

            await Task.Delay(500, ct);
        }
    }
}
