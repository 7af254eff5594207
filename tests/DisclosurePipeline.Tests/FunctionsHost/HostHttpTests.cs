using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// Forwarded HTTP functions and settings through the real host and handler: the fixture's Echo
/// (<c>GET|POST api/echo/{id}</c>) answers with the status from <c>?status=</c>, an <c>X-Echo</c>
/// header, and the request as it arrived.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class HostHttpTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["TickSchedule"] = "0 0 0 1 1 *", ["WorkQueue"] = "unused-work" };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task HttpFunction_ThroughHostPort_ForwardsRequestAndReturnsHandlerResponseUnchanged()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), Settings, ct);

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/echo/7?status=418&tag=a&tag=b")
        {
            Content = new StringContent("""{"plan":"fix it"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Supplier", "s-1");
        using var response = await host.Http.SendAsync(request, ct);

        Assert.AreEqual((HttpStatusCode)418, response.StatusCode);
        Assert.AreEqual("7", response.Headers.GetValues("X-Echo").Single());
        var echoed = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.AreEqual("POST", echoed!["method"]!.GetValue<string>());
        Assert.AreEqual("/api/echo/7", echoed["path"]!.GetValue<string>());
        Assert.AreEqual("?status=418&tag=a,b", echoed["query"]!.GetValue<string>());
        Assert.AreEqual("""{"plan":"fix it"}""", echoed["body"]!.GetValue<string>());
        var headers = echoed["headers"]!;
        Assert.AreEqual("s-1", headers["X-Supplier"]!.GetValue<string>());
        Assert.IsTrue(Guid.TryParse(headers["X-Azure-Functions-InvocationId"]!.GetValue<string>(), out _));
        StringAssert.StartsWith(headers["Content-Type"]!.GetValue<string>(), "application/json");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task HttpFunction_RedirectFromHandler_ReturnedNotFollowed()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), Settings, ct);

        using var response = await host.Http.GetAsync("api/echo/1?status=302&location=/api/echo/2", ct);

        Assert.AreEqual(HttpStatusCode.Found, response.StatusCode);
        Assert.AreEqual("/api/echo/2", response.Headers.Location!.OriginalString);
        Assert.HasCount(1, host.Invocations("Echo"));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task HttpFunction_UndeclaredRouteOrMethod_Returns404WithoutCallingHandler()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), Settings, ct);

        using var unknown = await host.Http.GetAsync("api/nope", ct);
        using var noId = await host.Http.GetAsync("api/echo", ct);
        using var noPrefix = await host.Http.GetAsync("echo/1", ct);
        using var wrongMethod = await host.Http.DeleteAsync("api/echo/1", ct);

        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, noId.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, noPrefix.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, wrongMethod.StatusCode);
        Assert.HasCount(0, host.Invocations("Echo"));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task LocalSettings_VariableAlreadyInEnvironment_EnvironmentWins()
    {
        var ct = TestContext.CancellationToken;
        var settings = new Dictionary<string, string>(Settings)
        {
            ["FIXTURE_COLOUR"] = "from-settings",
            ["FIXTURE_SHAPE"] = "from-settings",
        };
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), settings, ct,
            environment: new Dictionary<string, string> { ["FIXTURE_COLOUR"] = "from-environment" });

        var colour = await host.Http.GetFromJsonAsync<JsonObject>("api/echo/1?env=FIXTURE_COLOUR", ct);
        var shape = await host.Http.GetFromJsonAsync<JsonObject>("api/echo/1?env=FIXTURE_SHAPE", ct);

        Assert.AreEqual("from-environment", colour!["env"]!.GetValue<string>());
        Assert.AreEqual("from-settings", shape!["env"]!.GetValue<string>());
    }
}
