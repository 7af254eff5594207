using System.Net;
using System.Text;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// Queue triggers through the real host, the fixture worker and Azurite. The fixture's host.json
/// sets base64 encoding, maxDequeueCount 3, visibilityTimeout 0 and a 200 ms maxPollingInterval.
/// </summary>
[TestClass]
public sealed class HostQueueTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task TypedMessage_Succeeds_BoundWithTriggerMetadataAndDeleted()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var queue = host.Queue("WorkQueue");
        const string body = """{"kind":"ok","note":"first","customer":{"name":"Ada"},"lines":[1,2],"rush":true}""";

        var sent = await queue.SendMessageAsync(body, ct);
        var run = (await host.WaitForInvocationsAsync("Work", 1, ct))[0];
        await queue.WaitUntilEmptyAsync(ct);

        Assert.AreEqual("ok", run["kind"]!.GetValue<string>());
        Assert.AreEqual("first", run["note"]!.GetValue<string>());
        var data = run["bindingData"]!;
        Assert.AreEqual(body, data["QueueTrigger"]!.GetValue<string>());
        Assert.AreEqual("1", data["DequeueCount"]!.GetValue<string>());
        Assert.AreEqual(sent.Value.MessageId, data["Id"]!.GetValue<string>());
        Assert.IsFalse(string.IsNullOrEmpty(data["PopReceipt"]!.GetValue<string>()));
        foreach (var time in new[] { "InsertionTime", "ExpirationTime", "NextVisibleTime" })
        {
            // DateTimeOffsets travel as JSON, so the worker sees the quoted ISO text.
            StringAssert.Matches(data[time]!.GetValue<string>(), new System.Text.RegularExpressions.Regex("^\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"));
        }

        // Top-level properties of a JSON message: objects as JSON, other values as text, arrays left out.
        Assert.AreEqual("first", data["note"]!.GetValue<string>());
        Assert.AreEqual("""{"name":"Ada"}""", data["customer"]!.GetValue<string>());
        Assert.AreEqual("True", data["rush"]!.GetValue<string>());
        Assert.IsNull(data["lines"]);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task StringMessage_NonAscii_ArrivesUnchanged()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);

        await host.Queue("TextQueue").SendMessageAsync("grüße, 供应商", ct);
        var run = (await host.WaitForInvocationsAsync("Text", 1, ct))[0];

        Assert.AreEqual("grüße, 供应商", run["message"]!.GetValue<string>());
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task FunctionThrows_RetriedUpToMaxDequeueCountThenPoisonedWithBodyIntact()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var queue = host.Queue("WorkQueue", raw: true);
        var poison = HostUnderTest.Queue(host.Azurite, host.Settings["WorkQueue"] + "-poison", raw: true);
        var stored = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"kind":"fail","note":"ü"}"""));

        await queue.SendMessageAsync(stored, ct);
        var moved = await poison.TakeAtLeastAsync(1, ct);

        Assert.AreEqual(stored, moved.Single());
        var runs = host.Invocations("Work");
        CollectionAssert.AreEqual(new[] { "1", "2", "3" }, runs.Select(r => r["bindingData"]!["DequeueCount"]!.GetValue<string>()).ToArray());
        await queue.WaitUntilEmptyAsync(ct);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task MessageNotBase64_GoesToPoisonWithoutRunning()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var poison = HostUnderTest.Queue(host.Azurite, host.Settings["TextQueue"] + "-poison", raw: true);

        await host.Queue("TextQueue", raw: true).SendMessageAsync("plain text, not base64!", ct);
        var moved = await poison.TakeAtLeastAsync(1, ct);

        Assert.AreEqual("plain text, not base64!", moved.Single());
        Assert.HasCount(0, host.Invocations("Text"));
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task ReturnedStringArray_QueueOutput_OneMessagePerElement()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);

        await host.Queue("FanOutQueue").SendMessageAsync("job-1,job-2,job-3", ct);
        var messages = await host.Queue("FanOutOutQueue").TakeAtLeastAsync(3, ct);

        CollectionAssert.AreEquivalent(new[] { "job-1", "job-2", "job-3" }, messages);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task AdminInvoke_QueueFunction_EnqueuesInputAsMessage()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);

        using var response = await host.Http.PostAsync(
            "admin/functions/Text", new StringContent("""{"input":"from admin"}""", Encoding.UTF8, "application/json"), ct);
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);

        var runs = await host.WaitForInvocationsAsync("Text", 1, ct);
        Assert.AreEqual("from admin", runs[0]["message"]!.GetValue<string>());
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task WorkerCrashesMidRun_HostRestartsItAndEveryMessageIsProcessed()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);
        var queue = host.Queue("TextQueue");
        var texts = new[] { "before-1", "before-2", "crash:once", "after-1", "after-2", "after-3" };

        foreach (var text in texts)
        {
            await queue.SendMessageAsync(text, ct);
        }

        await host.WaitForOutputAsync("The worker process exited with code 3", ct);
        await queue.WaitUntilEmptyAsync(ct);
        await host.WaitUntilRunningAsync(ct);

        // The crashing message ran twice (it ends the worker the first time only); nothing was lost.
        var seen = host.Invocations("Text").Select(r => r["message"]!.GetValue<string>()).ToList();
        CollectionAssert.IsSubsetOf(texts, seen);
        Assert.AreEqual(2, seen.Count(s => s == "crash:once"));
        Assert.HasCount(2, host.WorkerProcessIds());
        Assert.IsFalse(HostUnderTest.IsRunning(host.WorkerProcessIds()[0]));
    }
}
