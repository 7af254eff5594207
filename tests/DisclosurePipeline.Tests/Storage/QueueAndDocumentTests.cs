using System.Text;
using System.Text.Json;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class QueueAndDocumentTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Enqueue_Message_IsBase64OfCamelCaseJson()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        await storage.Queue.EnqueueAsync(StorageNames.SyncBatchesQueue, new SampleBatch("run-1", 3, ["91440300MA5F00001X", "名称"]), ct);

        var message = (await storage.RawQueue(StorageNames.SyncBatchesQueue).ReceiveMessageAsync(null, ct)).Value;
        Assert.IsNotNull(message);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));
        using var doc = JsonDocument.Parse(json);
        Assert.AreEqual("run-1", doc.RootElement.GetProperty("runId").GetString());
        Assert.AreEqual(3, doc.RootElement.GetProperty("batchNumber").GetInt32());
        Assert.AreEqual("名称", doc.RootElement.GetProperty("ids")[1].GetString());
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Enqueue_PayloadOver48KiB_IsRefusedWithAClearError()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var tooBig = new SampleBatch("run-1", 0, [new string('x', 49 * 1024)]);

        var error = await Assert.ThrowsExactlyAsync<ArgumentException>(() => storage.Queue.EnqueueAsync(StorageNames.AlertsQueue, tooBig, ct));

        Assert.Contains("at most 49152", error.Message);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Documents_UploadExistsOpenRead_RoundTripBytesAndContentType()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var path = "91440300MA5F00001X/BM-1/plan-1.pdf";
        var bytes = Encoding.ASCII.GetBytes("%PDF-1.7\n").Concat(Enumerable.Range(0, 300_000).Select(i => (byte)i)).ToArray();

        Assert.IsFalse(await storage.Documents.ExistsAsync(StorageNames.PlanDocumentsContainer, path, ct));
        Assert.IsNull(await storage.Documents.OpenReadAsync(StorageNames.PlanDocumentsContainer, path, ct));
        await storage.Documents.UploadAsync(StorageNames.PlanDocumentsContainer, path, new MemoryStream(bytes), "application/pdf", ct);

        Assert.IsTrue(await storage.Documents.ExistsAsync(StorageNames.PlanDocumentsContainer, path, ct));
        await using var read = await storage.Documents.OpenReadAsync(StorageNames.PlanDocumentsContainer, path, ct);
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy, ct);
        CollectionAssert.AreEqual(bytes, copy.ToArray());

        var properties = await storage.RawContainer(StorageNames.PlanDocumentsContainer).GetBlobClient(path).GetPropertiesAsync(null, ct);
        Assert.AreEqual("application/pdf", properties.Value.ContentType);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task EnsureCreated_CreatesEveryNamedResource_AndCanRunAgain()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        await storage.Account.EnsureCreatedAsync(ct);
        await storage.Account.EnsureCreatedAsync(ct);

        var tables = new List<string>();
        await foreach (var table in new Azure.Data.Tables.TableServiceClient(storage.ConnectionString).QueryAsync(cancellationToken: ct))
        {
            tables.Add(table.Name);
        }

        foreach (var table in storage.Names.Tables)
        {
            CollectionAssert.Contains(tables, storage.Names.Table(table));
        }

        foreach (var queue in storage.Names.Queues)
        {
            Assert.IsTrue((await storage.RawQueue(queue).ExistsAsync(ct)).Value, queue);
        }

        foreach (var container in storage.Names.Containers)
        {
            Assert.IsTrue((await storage.RawContainer(container).ExistsAsync(ct)).Value, container);
        }
    }

    [TestMethod]
    public void StorageNames_BadPrefix_IsRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new StorageNames { Prefix = "Test-1" });
        Assert.AreEqual("abc1sync-batches", new StorageNames { Prefix = "abc1" }.Queue(StorageNames.SyncBatchesQueue));
    }

    private sealed record SampleBatch(string RunId, int BatchNumber, IReadOnlyList<string> Ids);
}
