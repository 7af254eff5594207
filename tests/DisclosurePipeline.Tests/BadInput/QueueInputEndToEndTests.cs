using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// Hostile and broken queue messages through the local host: a sync batch that does not match its run is rejected and
/// recorded (table <c>RejectedMessages</c>), never counted; a message that is not a batch ends in
/// <c>sync-batches-poison</c> and is recorded there; a broken alert ends in <c>alerts-poison</c>. None loops.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class QueueInputEndToEndTests
{
    private static BadInputStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) => stack = await BadInputStack.StartAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task SyncBatch_NotMatchingItsRun_IsRecordedAndNeverCounted()
    {
        var ct = TestContext.CancellationToken;
        var run = JsonNode.Parse(await stack.Stack.Staff.GetStringAsync("api/sync-runs/latest", ct))!;
        var runId = (string)run["runId"]!;
        var total = (int)run["batchesTotal"]!;
        var shard = Uscc.Shard(stack.Owner);
        var forged = new[]
        {
            Batch(runId, total, shard, [stack.Owner]),
            Batch(runId, -1, shard, [stack.Owner]),
            Batch("20990101T000000000Z-ffffff", 0, shard, [stack.Owner]),
            Batch(runId, 0, shard == "00" ? "01" : "00", [stack.Owner]),
            Batch(runId, 0, shard, []),
        };
        var queue = Queue("sync-batches");
        foreach (var message in forged)
        {
            await queue.SendMessageAsync(message, ct);
        }

        var rows = await Eventually.UntilNotNullAsync(
            async t => await RejectedRowsAsync(t) is { Count: >= 5 } found ? found : null,
            "five rejected batches recorded",
            ct,
            TimeSpan.FromSeconds(60));
        CollectionAssert.AreEquivalent(forged.ToList(), rows.Select(r => r.GetString("Text")).ToList());
        Assert.IsTrue(rows.All(r => r.GetString("Queue") == "sync-batches" && r.GetInt32("Times") == 1), "rejected on the first delivery, not retried");
        await Eventually.UntilAsync(async t => await CountAsync("sync-batches", t) == 0, "sync-batches empty", ct);

        var after = JsonNode.Parse(await stack.Stack.Staff.GetStringAsync("api/sync-runs/latest", ct))!;
        Assert.AreEqual(runId, (string?)after["runId"]);
        Assert.AreEqual((int)run["batchesDone"]!, (int)after["batchesDone"]!, "a forged batch is never counted");
        Assert.AreEqual((int)run["entitiesSynced"]!, (int)after["entitiesSynced"]!);
        Assert.AreEqual(0, await CountAsync("sync-batches-poison", ct));
    }

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    public async Task SyncBatch_NotABatchAtAll_EndsInPoisonAndIsRecordedThere()
    {
        var ct = TestContext.CancellationToken;
        const string Broken = "{\"runId\": 12, \"ids\": \"not a list\"";
        await Queue("sync-batches").SendMessageAsync(Broken, ct);

        var row = await Eventually.UntilNotNullAsync(
            async t => (await RejectedRowsAsync(t)).FirstOrDefault(r => r.GetString("Text") == Broken),
            "the broken message recorded from the poison queue",
            ct,
            TimeSpan.FromSeconds(150));
        Assert.AreEqual("sync-batches-poison", row.GetString("Queue"));
        await Eventually.UntilAsync(async t => await CountAsync("sync-batches-poison", t) == 0 && await CountAsync("sync-batches", t) == 0, "both queues empty", ct);
        Assert.AreEqual(0, await CountAsync("sync-batches-poison-poison", ct), "the poison queue's function does not fail on it");
    }

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    public async Task Alert_NotAnAlert_EndsInPoisonAfterItsDeliveries()
    {
        var ct = TestContext.CancellationToken;
        await Queue("alerts").SendMessageAsync("<alert>", ct);
        await Eventually.UntilAsync(async t => await CountAsync("alerts-poison", t) == 1, "the broken alert in alerts-poison", ct, TimeSpan.FromSeconds(150));
        Assert.AreEqual(0, await CountAsync("alerts", ct));
    }

    private static string Batch(string runId, int number, string shard, string[] ids) =>
        JsonSerializer.Serialize(new { runId, batchNumber = number, shard, year = 2024, ids }, JsonSerializerOptions.Web);

    private static QueueClient Queue(string name)
    {
        var queue = new QueueClient(stack.Stack.StorageConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        queue.CreateIfNotExists();
        return queue;
    }

    private static async Task<int> CountAsync(string name, CancellationToken ct)
    {
        var queue = new QueueClient(stack.Stack.StorageConnectionString, name);
        return await queue.ExistsAsync(ct) ? (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount : 0;
    }

    private static async Task<List<TableEntity>> RejectedRowsAsync(CancellationToken ct)
    {
        var table = new TableClient(stack.Stack.StorageConnectionString, "RejectedMessages");
        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                rows.Add(row);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return rows;
    }
}
