using System.Net;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>
/// Repeated failed authentication from one client address, end to end through the local Functions host (which
/// forwards with <c>X-Forwarded-For</c>): after ten failures in a minute that address gets 429 with Retry-After, other
/// addresses are served as before. Each test uses its own 127.0.0.x source address. Also: every answer, downloads
/// included, carries <c>X-Content-Type-Options: nosniff</c>.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class FailedAuthLimitTests
{
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        stack = await PipelineStack.StartAsync(5, null, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task WrongKeys_TenFromOneAddress_ThenThatAddressGets429WhileOthersAreServed()
    {
        var ct = TestContext.CancellationToken;
        using var guesser = stack.ClientFrom(IPAddress.Parse("127.0.0.11"), "not-a-key");
        for (var i = 0; i < 10; i++)
        {
            using var refused = await guesser.GetAsync("api/violations", ct);
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode, $"attempt {i + 1}: {await refused.Content.ReadAsStringAsync(ct)}");
        }

        using (var throttled = await guesser.GetAsync("api/violations", ct))
        {
            await AssertThrottledAsync(throttled, ct);
        }

        // While blocked, the key is not even looked at: a right guess is not told apart from a wrong one, and a
        // forged X-Forwarded-For does not help (the host appends the address it really saw).
        using (var guessedRight = stack.ClientFrom(IPAddress.Parse("127.0.0.11"), PipelineStack.StaffKey))
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "api/violations"))
        {
            forged.Headers.Add("X-Forwarded-For", "198.51.100.7");
            using var answer = await guessedRight.SendAsync(forged, ct);
            await AssertThrottledAsync(answer, ct);
        }

        // Someone else's failures never throttle a client with a valid key, nor anonymous pages.
        using var colleague = stack.ClientFrom(IPAddress.Parse("127.0.0.12"), PipelineStack.StaffKey);
        using (var served = await colleague.GetAsync("api/violations", ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, served.StatusCode, await served.Content.ReadAsStringAsync(ct));
        }

        using (var page = await stack.ClientFrom(IPAddress.Parse("127.0.0.11"), null).GetAsync("api/dashboard", ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task FailuresBelowTheLimit_ValidKeyFromTheSameAddress_IsServed()
    {
        var ct = TestContext.CancellationToken;
        using var typo = stack.ClientFrom(IPAddress.Parse("127.0.0.13"), "staff-key-with-a-typo");
        for (var i = 0; i < 9; i++)
        {
            using var refused = await typo.GetAsync("api/violations", ct);
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var corrected = stack.ClientFrom(IPAddress.Parse("127.0.0.13"), PipelineStack.StaffKey);
        using var served = await corrected.GetAsync("api/violations", ct);
        Assert.AreEqual(HttpStatusCode.OK, served.StatusCode, await served.Content.ReadAsStringAsync(ct));
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task Answers_CsvExportAndErrors_CarryNoSniff()
    {
        var ct = TestContext.CancellationToken;
        var csv = await stack.Simulator.GetStringAsync("sim/registry.csv", ct);
        using (var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"), ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, import.StatusCode);
            Assert.AreEqual("nosniff", Header(import, "X-Content-Type-Options"));
        }

        await stack.RunFunctionAsync("RollupProgress", ct);
        await Eventually.UntilAsync(
            async c =>
            {
                using var progress = await stack.Analyst.GetAsync("api/progress", c);
                return progress.StatusCode == HttpStatusCode.OK;
            },
            "a progress rollup",
            ct,
            TimeSpan.FromSeconds(60));

        using var export = await stack.Analyst.GetAsync("api/progress/entities?format=csv", ct);
        Assert.AreEqual(HttpStatusCode.OK, export.StatusCode);
        Assert.AreEqual("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("nosniff", Header(export, "X-Content-Type-Options"));

        using var missing = await stack.Staff.GetAsync("api/violations/91350100M000100Y43/BM-NONE/plans/none/document", ct);
        Assert.IsTrue(missing.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, missing.StatusCode.ToString());
        Assert.AreEqual("nosniff", Header(missing, "X-Content-Type-Options"));
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.TooManyRequests, response.StatusCode, body);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.IsTrue(seconds is >= 1 and <= 60, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.AreEqual(429, (int)JsonNode.Parse(body)!["status"]!);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
