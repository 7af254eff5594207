extern alias FunctionsHostTool;

using System.Net;
using DisclosurePipeline.Tests.Infrastructure;
using FunctionsHostTool::FunctionsHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>The local Functions host's pure parts: cron forms, schedule status, settings, payloads, app loading.</summary>
[TestClass]
public sealed class HostScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2025, 1, 15, 12, 0, 30, TimeSpan.Zero);

    [TestMethod]
    public void CronSchedule_FiveFields_MinuteResolutionWithoutSeconds()
    {
        var schedule = CronSchedule.Parse("*/5 * * * *");

        Assert.IsFalse(schedule.HasSeconds);
        Assert.AreEqual(new DateTimeOffset(2025, 1, 15, 12, 5, 0, TimeSpan.Zero), schedule.NextAfter(Noon));
    }

    [TestMethod]
    public void CronSchedule_SixFields_FirstFieldIsSeconds()
    {
        var schedule = CronSchedule.Parse("*/10 * * * * *");

        Assert.IsTrue(schedule.HasSeconds);
        Assert.AreEqual(new DateTimeOffset(2025, 1, 15, 12, 0, 40, TimeSpan.Zero), schedule.NextAfter(Noon));
    }

    [TestMethod]
    public void CronSchedule_NamesAndRanges_ParsedInUtc()
    {
        var schedule = CronSchedule.Parse("0 30 9 * * Mon-Fri");

        // 2025-01-15 is a Wednesday; 09:30 has passed, so Thursday 09:30 UTC.
        Assert.AreEqual(new DateTimeOffset(2025, 1, 16, 9, 30, 0, TimeSpan.Zero), schedule.NextAfter(Noon));
    }

    [TestMethod]
    public void CronSchedule_Invalid_Throws() =>
        Assert.ThrowsExactly<InvalidOperationException>(() => CronSchedule.Parse("every day"));

    [TestMethod]
    public void CronSchedule_SubMinuteSchedules_AreDetected()
    {
        Assert.IsTrue(CronSchedule.Parse("*/10 * * * * *").FiresMoreThanOncePerMinute(Noon));
        Assert.IsFalse(CronSchedule.Parse("0 */5 * * * *").FiresMoreThanOncePerMinute(Noon));
        Assert.IsFalse(CronSchedule.Parse("* * * * *").FiresMoreThanOncePerMinute(Noon));
    }

    [TestMethod]
    public void ScheduleStatusCheck_NoStoredStatus_NewStatusNotPastDue()
    {
        var (pastDue, status, write) = ScheduleStatus.Check(null, CronSchedule.Parse("0 0 * * * *"), Noon);

        Assert.IsFalse(pastDue);
        Assert.IsTrue(write);
        Assert.AreEqual(new DateTimeOffset(2025, 1, 15, 13, 0, 0, TimeSpan.Zero), status.Next);
    }

    [TestMethod]
    public void ScheduleStatusCheck_StoredNextInThePast_PastDueOnce()
    {
        var schedule = CronSchedule.Parse("0 0 * * * *");
        var stored = new ScheduleStatus(Noon.AddHours(-3).AddSeconds(-30), Noon.AddHours(-2).AddSeconds(-30), Noon.AddHours(-3));

        var (pastDue, status, write) = ScheduleStatus.Check(stored, schedule, Noon);

        Assert.IsTrue(pastDue);
        Assert.IsFalse(write);
        Assert.AreEqual(stored, status);
    }

    [TestMethod]
    public void ScheduleStatusCheck_ScheduleChanged_ResetNotPastDue()
    {
        // Stored under an hourly schedule; the function now runs daily at 02:00.
        var stored = new ScheduleStatus(Noon.AddHours(-3).AddSeconds(-30), Noon.AddHours(-2).AddSeconds(-30), Noon.AddHours(-3));

        var (pastDue, status, write) = ScheduleStatus.Check(stored, CronSchedule.Parse("0 0 2 * * *"), Noon);

        Assert.IsFalse(pastDue);
        Assert.IsTrue(write);
        Assert.AreEqual(new DateTimeOffset(2025, 1, 16, 2, 0, 0, TimeSpan.Zero), status.Next);
    }

    [TestMethod]
    public void ScheduleStatus_Json_RoundTripsExactly()
    {
        var status = new ScheduleStatus(Noon.AddTicks(1234567), Noon.AddHours(1), Noon.AddTicks(7654321));

        Assert.AreEqual(status, ScheduleStatus.FromJson(status.ToJson()));
    }

    [TestMethod]
    public void TimerInfo_WithoutMonitor_HasNullScheduleStatus()
    {
        var info = TimerListener.TimerInfo(null, isPastDue: false);

        Assert.AreEqual("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""", info.ToString(Newtonsoft.Json.Formatting.None));
    }
}

[TestClass]
public sealed class HostPayloadTests
{
    private static readonly DateTimeOffset Inserted = new(2025, 1, 15, 10, 0, 0, 123, TimeSpan.Zero);

    [TestMethod]
    public void QueuePayload_JsonMessage_EncodedLikeTheHostSource()
    {
        const string text = """{"orderId":42,"ok":true,"id":"mine","nested":{"a":1},"list":[1]}""";

        var (data, metadata) = QueueListener.Payload("Work", "msg", text, "msg-id", "pop", 2, Inserted, Inserted.AddDays(7), Inserted.AddMinutes(10), Inserted);

        Assert.AreEqual(Newtonsoft.Json.JsonConvert.SerializeObject(text), data["msg"]!.ToString());
        Assert.AreEqual("2", (string?)metadata["DequeueCount"]);
        Assert.AreEqual("\"pop\"", (string?)metadata["PopReceipt"]);
        Assert.AreEqual("\"42\"", (string?)metadata["orderId"]);
        Assert.AreEqual("\"True\"", (string?)metadata["ok"]);
        // A message property overrides the built-in key of the same name, case-insensitively.
        Assert.AreEqual("\"mine\"", (string?)metadata["Id"]);
        Assert.AreEqual(1, (int)metadata["nested"]!["a"]!);
        Assert.IsNull(metadata["list"]);
        Assert.IsNull(metadata["QueueTrigger"]);
        Assert.AreEqual("\"2025-01-15T10:00:00+00:00\"", metadata["InsertionTime"]!.ToString(Newtonsoft.Json.Formatting.None));
    }

    [TestMethod]
    public void QueuePayload_PlainText_NoExtraMetadata()
    {
        var (data, metadata) = QueueListener.Payload("Work", "msg", "hello", "id1", "pop", 1, Inserted, null, null, Inserted);

        Assert.AreEqual("\"hello\"", data["msg"]!.ToString());
        CollectionAssert.AreEquivalent(
            new[] { "DequeueCount", "Id", "InsertionTime", "PopReceipt", "sys" },
            metadata.Properties().Select(p => p.Name).ToArray());
    }

    [TestMethod]
    public void HandlerAnswer_EmptyOrNotAnObject_IsAFailure()
    {
        Assert.IsFalse(InvocationClient.TryReadLogs("", out _, out _));
        Assert.IsFalse(InvocationClient.TryReadLogs("[]", out _, out _));
        Assert.IsFalse(InvocationClient.TryReadLogs("not json", out _, out _));
    }

    [TestMethod]
    public void HandlerAnswer_LogsMatchedCaseInsensitively()
    {
        Assert.IsTrue(InvocationClient.TryReadLogs("""{"outputs":{},"logs":["one","two"]}""", out var lines, out _));

        CollectionAssert.AreEqual(new[] { "one", "two" }, lines.ToArray());
    }
}

[TestClass]
public sealed class HostAppDefinitionTests
{
    private static AppSettings Settings(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return new AppSettings(name => map.GetValueOrDefault(name));
    }

    [TestMethod]
    public void Load_FixtureApp_ReadsHostJsonAndResolvesSettings()
    {
        var app = AppDefinition.Load(HostUnderTest.FixtureApp, Settings(("TickSchedule", "0 */5 * * * *"), ("WorkQueue", "Orders-In")));

        Assert.HasCount(0, app.Errors);
        CollectionAssert.AreEqual(new[] { "Echo", "Tick", "Work" }, app.Functions.Select(f => f.Name).ToArray());
        Assert.AreEqual("0 */5 * * * *", ((TimerTrigger)app.Find("Tick")!.Trigger).Schedule);
        var work = (QueueTrigger)app.Find("work")!.Trigger;
        Assert.AreEqual("orders-in", work.QueueName);
        Assert.AreEqual(AppSettings.DevelopmentStorage, work.ConnectionString);
        var echo = (HttpTrigger)app.Find("Echo")!.Trigger;
        CollectionAssert.AreEqual(new[] { "GET", "POST" }, echo.Methods.ToArray());
        Assert.IsTrue(echo.IsHttpInAndOut);
        Assert.AreEqual("api", app.RoutePrefix);
        Assert.AreEqual(TimeSpan.FromSeconds(30), app.FunctionTimeout);
        Assert.AreEqual(new QueuesOptions(4, 2, TimeSpan.FromMilliseconds(200), TimeSpan.Zero, 3, Base64: true), app.Queues);
        Assert.IsTrue(app.Handler.EnableForwardingHttpRequest);
    }

    [TestMethod]
    public void Load_UnresolvedSetting_ThatFunctionIsInError()
    {
        var app = AppDefinition.Load(HostUnderTest.FixtureApp, Settings(("TickSchedule", "0 */5 * * * *")));

        Assert.IsNull(app.Find("Work"));
        Assert.HasCount(1, app.Errors);
        Assert.IsNotNull(app.Find("Tick"));
    }

    [TestMethod]
    public void QueuesOptions_NoSection_ExtensionDefaults()
    {
        var options = QueuesOptions.Read(null);

        Assert.AreEqual((16, 5, TimeSpan.Zero, true), (options.BatchSize, options.MaxDequeueCount, options.VisibilityTimeout, options.Base64));
    }

    [TestMethod]
    public void StorageConnection_EmptyOrNamedSetting_ResolvedFromSettings()
    {
        var settings = Settings((AppSettings.StorageSetting, "main"), ("Other", "other"));

        Assert.AreEqual("main", settings.StorageConnectionString(null));
        Assert.AreEqual("main", settings.StorageConnectionString(""));
        Assert.AreEqual("other", settings.StorageConnectionString("Other"));
        Assert.AreEqual(AppSettings.DevelopmentStorage, Settings().StorageConnectionString(null));
    }

    [TestMethod]
    public void HandlerCommandLine_ExecutableUnderRootOrOnPath_ArgumentsExpanded()
    {
        var root = HostUnderTest.FixtureApp;
        var handler = new CustomHandlerDescription("handler/HostFixture", "handler",
            ["--urls", "http://127.0.0.1:%FUNCTIONS_CUSTOMHANDLER_PORT%", "%UNSET_SETTING%", "%Mode%"], null, [], true, TimeSpan.FromSeconds(30));
        var app = new AppDefinition(root, "h", handler, TimeSpan.FromMinutes(5), "api", QueuesOptions.Read(null), [], []);
        var child = new Dictionary<string, string> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "5123" };

        var (file, args) = HandlerProcess.CommandLine(app, Settings(("Mode", "fast")), child);
        var (command, _) = HandlerProcess.CommandLine(app with { Handler = handler with { DefaultExecutablePath = "dotnet" } }, Settings(), child);

        Assert.AreEqual(Path.Combine(root, "handler", "HostFixture"), file);
        Assert.AreEqual("--urls http://127.0.0.1:5123 fast", args);
        Assert.AreEqual("dotnet", command);
    }
}

/// <summary>Route templates served over real HTTP, with a stand-in in place of the forwarder.</summary>
[TestClass]
public sealed class HostRouteTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void RouteTemplate_PrefixAndDefaultRoute()
    {
        var settings = new AppSettings(_ => null);
        var named = (HttpTrigger)FunctionDefinition.Read("Health", """{"bindings":[{"type":"httpTrigger","direction":"in","name":"req"},{"type":"http","direction":"out","name":"res"}]}""", settings).Trigger;

        Assert.AreEqual("api/Health", HttpForwarder.RouteTemplate("api", named));
        Assert.AreEqual("Health", HttpForwarder.RouteTemplate("", named));
        Assert.IsNotNull(HttpForwarder.TemplateError("orders/{id:int"));
    }

    [TestMethod]
    [Timeout(20000, CooperativeCancellation = true)]
    public async Task Routes_ConstraintsMethodsAndPrefix_MatchLikeTheHost()
    {
        var ct = TestContext.CancellationToken;
        var settings = new AppSettings(_ => null);
        FunctionDefinition Http(string name, string methods, string? route) => FunctionDefinition.Read(name,
            $$"""{"bindings":[{"type":"httpTrigger","direction":"in","name":"req","methods":[{{methods}}]{{(route is null ? "" : $",\"route\":\"{route}\"")}}},{"type":"http","direction":"out","name":"res"}]}""",
            settings);
        var app = new AppDefinition("/app", "h", new CustomHandlerDescription("x", null, [], null, [], true, TimeSpan.FromSeconds(30)),
            TimeSpan.FromMinutes(5), "api", QueuesOptions.Read(null),
            [Http("GetOrder", "\"get\"", "orders/{id:int?}"), Http("CreateOrder", "\"post\"", "orders"), Http("Health", "", null)], []);

        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var web = builder.Build();
        HttpForwarder.UseFunctionsRouting(web);
        HttpForwarder.MapRoutes(web, app, (context, function) => context.Response.WriteAsync(function.Name, ct));
        await web.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        async Task<string> Call(HttpMethod method, string path)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, path), ct);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct) : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.AreEqual("GetOrder", await Call(HttpMethod.Get, "api/orders/42"));
        Assert.AreEqual("GetOrder", await Call(HttpMethod.Get, "api/orders"));
        Assert.AreEqual("404", await Call(HttpMethod.Get, "api/orders/abc"));
        Assert.AreEqual("CreateOrder", await Call(HttpMethod.Post, "api/orders"));
        Assert.AreEqual("404", await Call(HttpMethod.Put, "api/orders"));
        Assert.AreEqual("Health", await Call(HttpMethod.Delete, "api/health"));
        Assert.AreEqual("404", await Call(HttpMethod.Get, "health"));
        await web.StopAsync(ct);
    }
}
