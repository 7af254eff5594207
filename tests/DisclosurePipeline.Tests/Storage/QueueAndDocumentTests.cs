using System.Text;
using System.Text.Json;
using DisclosurePipeline.Storage;
using Microsoft.WindowsAzure.Storage;

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

        var queue = CloudStorageAccount.Parse(storage.ConnectionString).CreateCloudQueueClient()
            .GetQueueReference(storage.Names.Queue(StorageNames.SyncBatchesQueue));
        queue.EncodeMessage = false;
        var message = await queue.GetMessageAsync(null, null, null, ct);
        Assert.IsNotNull(message);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.AsString));
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

        var blob = CloudStorageAccount.Parse(storage.ConnectionString).CreateCloudBlobClient()
            .GetContainerReference(storage.Names.Container(StorageNames.PlanDocumentsContainer)).GetBlockBlobReference(path);
        await blob.FetchAttributesAsync(null, null, null, ct);
        Assert.AreEqual("application/pdf", blob.Properties.ContentType);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task EnsureCreated_CreatesEveryNamedResource_AndCanRunAgain()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        await storage.Account.EnsureCreatedAsync(ct);
        await storage.Account.EnsureCreatedAsync(ct);

        foreach (var table in storage.Names.Tables)
        {
            Assert.IsTrue(await storage.RawTable(table).ExistsAsync(null, null, ct), table);
        }

        var account = CloudStorageAccount.Parse(storage.ConnectionString);
        foreach (var queue in storage.Names.Queues)
        {
            Assert.IsTrue(await account.CreateCloudQueueClient().GetQueueReference(storage.Names.Queue(queue)).ExistsAsync(null, null, ct), queue);
        }

        foreach (var container in storage.Names.Containers)
        {
            Assert.IsTrue(await account.CreateCloudBlobClient().GetContainerReference(storage.Names.Container(container)).ExistsAsync(null, null, ct), container);
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
