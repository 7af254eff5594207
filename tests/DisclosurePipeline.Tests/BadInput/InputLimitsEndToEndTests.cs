using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// Limits at their edges, end to end: a body exactly at each limit is accepted and stored, one byte more is 413 (the
/// registry's 5 MB: <see cref="RegistryAtItsLimitEndToEndTests"/>); a body
/// over the host's own limit is refused before it is read; and what the host's Kestrel refuses itself.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class InputLimitsEndToEndTests
{
    private static BadInputStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) => stack = await BadInputStack.StartAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(300000, CooperativeCancellation = true)]
    public async Task Plan_ExactlyAtTheLimit_IsStoredReviewedAndGivenAFullSizeDocument()
    {
        var ct = TestContext.CancellationToken;
        var reject = $"api/violations/{stack.Owner}/{stack.RecordId}/plans/{stack.PlanId}/review";
        using (var rejected = await stack.Stack.Staff.PostAsync(reject, Json("""{"decision":"reject","comment":"再补充"}"""), ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, rejected.StatusCode, await rejected.Content.ReadAsStringAsync(ct));
        }

        var plans = $"api/me/violations/{stack.RecordId}/plans";
        using (var over = await stack.OwnerClient.PostAsync(plans, Bytes(BadInputMatrix.PaddedPlan(256 * 1024 + 1), "application/json"), ct))
        {
            Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        }

        // The largest plan there can be: 256 KB, most of it characters the serializer would escape (emoji).
        var atLimit = LargestPlan(256 * 1024);
        Assert.HasCount(256 * 1024, atLimit);
        string planId;
        using (var submitted = await stack.OwnerClient.PostAsync(plans, Bytes(atLimit, "application/json"), ct))
        {
            Assert.AreEqual(HttpStatusCode.Created, submitted.StatusCode, await submitted.Content.ReadAsStringAsync(ct));
            planId = (string)JsonNode.Parse(await submitted.Content.ReadAsStringAsync(ct))!["planId"]!;
        }

        var document = $"api/me/violations/{stack.RecordId}/plans/{planId}/document";
        using (var over = await stack.OwnerClient.PutAsync(document, Bytes(BadInputMatrix.PaddedPdf(10 * 1024 * 1024 + 1), "application/pdf"), ct))
        {
            Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        }

        var pdf = BadInputMatrix.PaddedPdf(10 * 1024 * 1024);
        using (var uploaded = await stack.OwnerClient.PutAsync(document, Bytes(pdf, "application/pdf"), ct))
        {
            Assert.AreEqual(HttpStatusCode.NoContent, uploaded.StatusCode, await uploaded.Content.ReadAsStringAsync(ct));
        }

        using (var approved = await stack.Stack.Staff.PostAsync($"api/violations/{stack.Owner}/{stack.RecordId}/plans/{planId}/review", Json("""{"decision":"approve"}"""), ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, approved.StatusCode, await approved.Content.ReadAsStringAsync(ct));
            var plan = JsonNode.Parse(await approved.Content.ReadAsStringAsync(ct))!["plans"]!.AsArray().Single(p => (string?)p!["planId"] == planId)!;
            Assert.AreEqual("approved", (string?)plan["decision"]);
            Assert.AreEqual(50, plan["actions"]!.AsArray().Count);
        }

        using var download = await stack.Stack.Staff.GetAsync($"api/violations/{stack.Owner}/{stack.RecordId}/plans/{planId}/document", ct);
        Assert.AreEqual(HttpStatusCode.OK, download.StatusCode);
        Assert.AreEqual("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.AreEqual("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.AreEqual("application/pdf", download.Content.Headers.ContentType?.MediaType);
        CollectionAssert.AreEqual(pdf, await download.Content.ReadAsByteArrayAsync(ct));
    }

    [TestMethod]
    [Timeout(300000, CooperativeCancellation = true)]
    public async Task Registry_EveryRowBad_ListsTheFirstHundredAndCountsThemAll()
    {
        var ct = TestContext.CancellationToken;
        var csv = "id,name,kind\n" + string.Concat(Enumerable.Repeat(",\n", 200_000));
        var before = await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct);
        using var response = await stack.Stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var result = JsonNode.Parse(body)!;
        Assert.AreEqual(200_000, (int)result["rejectedTotal"]!);
        var rejected = result["rejected"]!.AsArray();
        Assert.HasCount(100, rejected);
        Assert.AreEqual(2, (int)rejected[0]!["line"]!);
        Assert.AreEqual(101, (int)rejected[99]!["line"]!);
        Assert.IsLessThan(64 * 1024, body.Length, "the answer stays small whatever the number of bad rows");
        Assert.AreEqual("", (await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct)).DifferenceFrom(before));
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Registry_ControlCharactersInAName_RejectTheRowSayingWhich()
    {
        var ct = TestContext.CancellationToken;
        var id = TestIds.Uscc(77, "9135010000");
        var csv = $"id,name,kind\n{id},\"a\u0000b\u0007c\u001b[31m\",supplier\n";
        using var response = await stack.Stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;

        // A NUL byte makes the file "not UTF-8 text": refused whole. Without it, the row is rejected naming the character.
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        StringAssert.Contains((string?)result["detail"], "UTF-8");
        using var bell = await stack.Stack.Staff.PutAsync("api/suppliers", new StringContent(csv.Replace("\u0000", "", StringComparison.Ordinal), Encoding.UTF8, "text/csv"), ct);
        var rejected = JsonNode.Parse(await bell.Content.ReadAsStringAsync(ct))!["rejected"]!.AsArray().Single()!;
        Assert.AreEqual(2, (int)rejected["line"]!);
        StringAssert.Contains((string?)rejected["error"], "U+0007");
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Body_OverTheHostLimit_IsRefusedBeforeItIsSent()
    {
        var ct = TestContext.CancellationToken;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, stack.Stack.Functions.BaseAddress!.Port, ct);
        await using var network = tcp.GetStream();
        var head = $"PUT /api/suppliers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {PipelineStack.StaffKey}\r\nContent-Type: text/csv\r\nContent-Length: 104857601\r\n\r\n";
        await network.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        using var reader = new StreamReader(network, Encoding.UTF8);
        var status = await reader.ReadLineAsync(ct);
        Assert.AreEqual("HTTP/1.1 413 Payload Too Large", status);
        var headers = new List<string>();
        while (await reader.ReadLineAsync(ct) is { Length: > 0 } line)
        {
            headers.Add(line);
        }

        CollectionAssert.Contains(headers, "Content-Type: application/problem+json", string.Join(" | ", headers));
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task RouteId_WithANulCharacter_IsRefusedByTheServerAndChangesNothing()
    {
        var ct = TestContext.CancellationToken;
        var before = await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct);
        using var response = await stack.OwnerClient.PostAsync("api/me/violations/%00/plans", Json(BadInputStack.PlanJson), ct);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.AreEqual("", (await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct)).DifferenceFrom(before));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>A valid plan of exactly <paramref name="bytes"/> bytes: 50 actions of emoji, which grow most (threefold) when re-serialised with escapes.</summary>
    private static byte[] LargestPlan(int bytes)
    {
        const string Head = "{\"summary\":\"s\",\"rootCause\":\"r\",\"expectedCompletionOn\":\"2030-01-01\",\"actions\":[";
        var per = (bytes - Head.Length - 2) / 50;
        var actions = new List<string>();
        var used = Head.Length + 2;
        for (var i = 0; i < 50; i++)
        {
            var room = (i == 49 ? bytes - used : per) - "{\"description\":\"\"}".Length - (i > 0 ? 1 : 0);
            var text = new StringBuilder();
            var length = 0;
            while (length + 4 <= room)
            {
                text.Append("😀");
                length += 4;
            }

            text.Append('a', room - length);
            var action = "{\"description\":\"" + text + "\"}";
            actions.Add(action);
            used += Encoding.UTF8.GetByteCount(action) + (i > 0 ? 1 : 0);
        }

        return Encoding.UTF8.GetBytes(Head + string.Join(',', actions) + "]}");
    }
}
