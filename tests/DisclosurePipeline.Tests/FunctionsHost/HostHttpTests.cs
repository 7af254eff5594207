using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// HTTP functions through the host's proxy to the fixture worker's own Kestrel (ASP.NET Core
/// integration): routes and methods, trigger metadata, failures, pass-through responses, outputs, timeouts.
/// One host serves the whole class.
/// </summary>
[TestClass]
public sealed class HostHttpTests
{
    private static HostUnderTest host = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) => host = await HostUnderTest.StartAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync() => await host.DisposeAsync();

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Post_RouteQueryAndJsonBody_ForwardedWithBindingData()
    {
        var ct = TestContext.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/items/42?tag=blue&tag=green&code=secret")
        {
            Content = new StringContent("""{"name":"widget","qty":3,"meta":{"a":1}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Test", "yes");

        using var response = await host.Http.SendAsync(request, ct);
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("42", echo["id"]!.GetValue<string>());
        Assert.AreEqual("POST", echo["method"]!.GetValue<string>());
        Assert.AreEqual("/api/items/42", echo["path"]!.GetValue<string>());
        Assert.AreEqual("?tag=blue&tag=green&code=secret", echo["query"]!.GetValue<string>());
        Assert.AreEqual("blue,green", echo["tags"]!.GetValue<string>());
        Assert.AreEqual("""{"name":"widget","qty":3,"meta":{"a":1}}""", echo["body"]!.GetValue<string>());
        Assert.AreEqual("yes", echo["headers"]!["X-Test"]!.GetValue<string>());
        Assert.IsFalse(string.IsNullOrEmpty(echo["headers"]!["x-ms-invocation-id"]!.GetValue<string>()));
        var data = echo["bindingData"]!;
        Assert.AreEqual("42", data["id"]!.GetValue<string>());
        Assert.AreEqual("green", data["tag"]!.GetValue<string>());
        Assert.IsNull(data["code"]);
        Assert.AreEqual("widget", data["name"]!.GetValue<string>());
        Assert.AreEqual("3", data["qty"]!.GetValue<string>());
        Assert.AreEqual("""{"a":1}""", data["meta"]!.GetValue<string>());
        var query = JsonNode.Parse(data["Query"]!.GetValue<string>())!;
        Assert.AreEqual("green", query["tag"]!.GetValue<string>());
        Assert.AreEqual("secret", query["code"]!.GetValue<string>());
        var headers = JsonNode.Parse(data["Headers"]!.GetValue<string>())!;
        Assert.AreEqual("yes", headers["X-Test"]!.GetValue<string>());
        Assert.IsNull(headers["x-ms-invocation-id"]);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Get_IntConstrainedRoute_MatchesNumbersOnly()
    {
        var ct = TestContext.CancellationToken;

        var number = await host.Http.GetFromJsonAsync<JsonObject>("api/numbers/21", ct);
        using var notNumber = await host.Http.GetAsync("api/numbers/abc", ct);

        Assert.AreEqual(42, number!["twice"]!.GetValue<int>());
        Assert.AreEqual(HttpStatusCode.NotFound, notNumber.StatusCode);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task UnknownPathOrUndeclaredMethod_404ProblemDetails()
    {
        var ct = TestContext.CancellationToken;

        using var unknown = await host.Http.GetAsync("api/no-such-function", ct);
        using var wrongMethod = await host.Http.DeleteAsync("api/items/1", ct);

        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(HttpStatusCode.NotFound, wrongMethod.StatusCode);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task FunctionThrows_500()
    {
        using var response = await host.Http.GetAsync("api/Boom", TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task ProblemDetailsResult_PassesThroughUnchanged()
    {
        var ct = TestContext.CancellationToken;

        using var response = await host.Http.GetAsync("api/Problem", ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(ct);

        Assert.AreEqual(422, (int)response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("Not acceptable input", problem!["title"]!.GetValue<string>());
        Assert.AreEqual("the fixture always refuses", problem["detail"]!.GetValue<string>());
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task PocoWithQueueOutputs_ArraySplitAndObjectEnqueued_HttpResultReturned()
    {
        var ct = TestContext.CancellationToken;

        using var response = await host.Http.PostAsJsonAsync("api/MultiOut", new[] { "m1", "m2" }, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        var messages = await host.Queue("MultiOutQueue").TakeAtLeastAsync(2, ct);
        var audit = await host.Queue("AuditQueue").TakeAtLeastAsync(1, ct);

        Assert.AreEqual(2, body!["queued"]!.GetValue<int>());
        CollectionAssert.AreEquivalent(new[] { "m1", "m2" }, messages);
        var record = JsonNode.Parse(audit.Single())!;
        Assert.AreEqual("multi", record["Source"]!.GetValue<string>());
        Assert.AreEqual(2, record["Count"]!.GetValue<int>());
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task FunctionRunsPastFunctionTimeout_CancelledInWorkerAnd500()
    {
        var ct = TestContext.CancellationToken;

        using var response = await host.Http.GetAsync("api/Slow", ct);
        var cancelled = await host.WaitForInvocationsAsync("Slow", 1, ct);

        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.IsTrue(cancelled[0]["cancelled"]!.GetValue<bool>());
        await host.WaitForOutputAsync(Regex.Escape("Timeout value of 00:00:05 was exceeded by function: Functions.Slow"), ct);
    }
}
