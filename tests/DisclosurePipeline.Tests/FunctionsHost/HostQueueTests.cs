using System.Text;
using System.Text.RegularExpressions;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.WindowsAzure.Storage;
using Microsoft.WindowsAzure.Storage.Queue;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// Queue triggers through the real host, handler and Azurite: the fixture's Work function reads
/// %WorkQueue% (unique per test) and fails with 500 when the message contains "fail". The fixture
/// host.json sets maxDequeueCount 3, visibilityTimeout 0 and a 200 ms maxPollingInterval.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed partial class HostQueueTests
{
    private const int MaxDequeueCount = 3;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueueMessage_HandlerSucceeds_ProcessedOnceAndDeleted()
    {
        var ct = TestContext.CancellationToken;
        var (azurite, queue) = await NewQueueAsync(ct);
        await using var host = await StartAsync(azurite, queue.Name, ct);

        await queue.AddMessageAsync(new CloudQueueMessage("hello work"), null, null, null, null, ct);
        await host.WaitForInvocationsAsync("Work", 1, ct);
        await WaitUntilEmptyAsync(queue, ct);

        var runs = host.Invocations("Work");
        Assert.HasCount(1, runs);
        Assert.AreEqual("hello work", Payload.Decode(runs[0]["payload"]!["Data"]!["msg"]));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueueMessage_JsonObject_ArrivesDoubleEncodedWithStringMetadata()
    {
        var ct = TestContext.CancellationToken;
        var (azurite, queue) = await NewQueueAsync(ct);
        await using var host = await StartAsync(azurite, queue.Name, ct);
        const string body = """{"orderId":42,"tenant":"t1","lines":[1,2]}""";

        var sent = new CloudQueueMessage(body);
        await queue.AddMessageAsync(sent, null, null, null, null, ct);
        var payload = (await host.WaitForInvocationsAsync("Work", 1, ct))[0]["payload"]!;

        // Data: a JSON string whose content is the JSON-serialized message text.
        var data = payload["Data"]!["msg"]!.GetValue<string>();
        StringAssert.StartsWith(data, "\"{\\\"orderId\\\":42");
        Assert.AreEqual(body, Payload.Decode(payload["Data"]!["msg"]));
        var metadata = payload["Metadata"]!;
        Assert.AreEqual("1", metadata["DequeueCount"]!.GetValue<string>());
        Assert.AreEqual(sent.Id, Payload.Decode(metadata["Id"]));
        StringAssert.StartsWith(metadata["PopReceipt"]!.GetValue<string>(), "\"");
        foreach (var time in new[] { "InsertionTime", "ExpirationTime", "NextVisibleTime" })
        {
            StringAssert.Matches(metadata[time]!.GetValue<string>(), WholeSecondIso());
        }

        // Top-level non-array properties of a JSON message are copied in, as double-encoded strings.
        Assert.AreEqual("\"42\"", metadata["orderId"]!.GetValue<string>());
        Assert.AreEqual("\"t1\"", metadata["tenant"]!.GetValue<string>());
        Assert.IsNull(metadata["lines"]);
        Assert.IsNull(metadata["QueueTrigger"]);
        Assert.AreEqual("Work", metadata["sys"]!["MethodName"]!.GetValue<string>());
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueueMessage_HandlerFails_RetriedThenMovedToPoisonWithBodyIntact()
    {
        var ct = TestContext.CancellationToken;
        var (azurite, queue) = await NewQueueAsync(ct);
        await using var host = await StartAsync(azurite, queue.Name, ct);
        var poison = queue.ServiceClient.GetQueueReference(queue.Name + "-poison");

        await queue.AddMessageAsync(new CloudQueueMessage("""{"please":"fail","n":"ü"}"""), null, null, null, null, ct);
        var moved = await WaitForMessageAsync(poison, ct);

        Assert.AreEqual("""{"please":"fail","n":"ü"}""", moved.AsString);
        var runs = host.Invocations("Work");
        Assert.HasCount(MaxDequeueCount, runs);
        CollectionAssert.AreEqual(
            new[] { "1", "2", "3" },
            runs.Select(r => r["payload"]!["Metadata"]!["DequeueCount"]!.GetValue<string>()).ToArray());
        await WaitUntilEmptyAsync(queue, ct);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueueMessage_NotBase64_GoesStraightToPoisonWithoutRunning()
    {
        var ct = TestContext.CancellationToken;
        var (azurite, queue) = await NewQueueAsync(ct);
        await using var host = await StartAsync(azurite, queue.Name, ct);
        var raw = queue.ServiceClient.GetQueueReference(queue.Name);
        raw.EncodeMessage = false;
        var poison = queue.ServiceClient.GetQueueReference(queue.Name + "-poison");
        poison.EncodeMessage = false;

        await raw.AddMessageAsync(new CloudQueueMessage("plain text, not base64!"), null, null, null, null, ct);
        var moved = await WaitForMessageAsync(poison, ct);

        Assert.AreEqual("plain text, not base64!", moved.AsString);
        Assert.HasCount(0, host.Invocations("Work"));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AdminInvoke_QueueFunction_EnqueuesInputAsMessage()
    {
        var ct = TestContext.CancellationToken;
        var (azurite, queue) = await NewQueueAsync(ct);
        await using var host = await StartAsync(azurite, queue.Name, ct);

        using var response = await host.Http.PostAsync(
            "admin/functions/Work", new StringContent("""{"input":"from admin"}""", Encoding.UTF8, "application/json"), ct);
        Assert.AreEqual(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        var runs = await host.WaitForInvocationsAsync("Work", 1, ct);
        Assert.AreEqual("from admin", Payload.Decode(runs[0]["payload"]!["Data"]!["msg"]));
    }

    private static async Task<HostUnderTest> StartAsync(Azurite azurite, string queueName, CancellationToken ct) =>
        await HostUnderTest.StartAsync(azurite, new Dictionary<string, string>
        {
            ["WorkQueue"] = queueName,
            ["TickSchedule"] = "0 0 0 1 1 *",
        }, ct);

    private static async Task<(Azurite Azurite, CloudQueue Queue)> NewQueueAsync(CancellationToken ct)
    {
        var azurite = await Azurite.GetAsync(ct);
        var queue = CloudStorageAccount.Parse(azurite.ConnectionString).CreateCloudQueueClient()
            .GetQueueReference("work-" + Guid.NewGuid().ToString("N")[..12]);
        await queue.CreateIfNotExistsAsync(null, null, ct);
        return (azurite, queue);
    }

    private static async Task<CloudQueueMessage> WaitForMessageAsync(CloudQueue queue, CancellationToken ct)
    {
        while (true)
        {
            if (await queue.ExistsAsync(null, null, ct) && await queue.PeekMessageAsync(null, null, ct) is { } message)
            {
                return message;
            }

            await Task.Delay(50, ct);
        }
    }

    private static async Task WaitUntilEmptyAsync(CloudQueue queue, CancellationToken ct)
    {
        while (true)
        {
            await queue.FetchAttributesAsync(null, null, ct);
            if (queue.ApproximateMessageCount == 0)
            {
                return;
            }

            await Task.Delay(50, ct);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")]
    private static partial Regex WholeSecondIso();
}
