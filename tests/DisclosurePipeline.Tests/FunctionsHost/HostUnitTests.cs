extern alias FunctionsHostTool;

using System.Net;
using System.Text;
using FunctionsHostTool::FunctionsHost;
using FunctionsHostTool::FunctionsHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Newtonsoft.Json.Linq;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>Cron forms and the schedule monitor's rules.</summary>
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
    public void CronSchedule_NamesAndRanges_ParsedInUtc() =>
        // 2025-01-15 is a Wednesday; 09:30 has passed, so Thursday 09:30 UTC.
        Assert.AreEqual(new DateTimeOffset(2025, 1, 16, 9, 30, 0, TimeSpan.Zero), CronSchedule.Parse("0 30 9 * * Mon-Fri").NextAfter(Noon));

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
    public void ScheduleStatusCheck_StoredNextPassed_PastDue()
    {
        var last = new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
        var (pastDue, _, write) = ScheduleStatus.Check(new ScheduleStatus(last, last.AddHours(1), last), CronSchedule.Parse("0 0 * * * *"), Noon);

        Assert.IsTrue(pastDue);
        Assert.IsFalse(write);
    }

    [TestMethod]
    public void ScheduleStatusCheck_ScheduleChanged_ResetNotPastDue()
    {
        var last = new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
        var (pastDue, status, write) = ScheduleStatus.Check(new ScheduleStatus(last, last.AddHours(1), last), CronSchedule.Parse("0 */5 * * * *"), Noon);

        Assert.IsFalse(pastDue);
        Assert.IsTrue(write);
        Assert.AreEqual(new DateTimeOffset(2025, 1, 15, 12, 5, 0, TimeSpan.Zero), status.Next);
    }
}

/// <summary>What the host sends: timer payload, queue and HTTP trigger metadata, TypedData conversion.</summary>
[TestClass]
public sealed class HostPayloadTests
{
    [TestMethod]
    public void TimerInfo_WithStatus_RealHostShape()
    {
        var next = new DateTimeOffset(2026, 12, 1, 20, 25, 0, TimeSpan.Zero);
        var json = TimerListener.TimerInfo(new ScheduleStatus(DateTimeOffset.MinValue, next, next.AddMinutes(-5)), isPastDue: false);

        var parsed = JObject.Parse(json, new Newtonsoft.Json.Linq.JsonLoadSettings());
        Assert.AreEqual("""{"AdjustForDST":true}""", parsed["Schedule"]!.ToString(Newtonsoft.Json.Formatting.None));
        Assert.IsFalse(parsed["IsPastDue"]!.Value<bool>());
        StringAssert.StartsWith(json, """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"0001-01-01T00:00:00""");
        var offset = TimeZoneInfo.Local.GetUtcOffset(next);
        StringAssert.Contains(json, "\"Next\":\"" + next.ToOffset(offset).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) + "\"");
    }

    [TestMethod]
    public void TimerInfo_WithoutMonitor_NullStatus() =>
        Assert.AreEqual("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}""", TimerListener.TimerInfo(null, isPastDue: true));

    [TestMethod]
    public void QueueBindingData_AsTriggerMetadata_RealHostEncodings()
    {
        var inserted = new DateTimeOffset(2026, 12, 1, 20, 14, 51, TimeSpan.Zero).AddTicks(6778964);
        var data = QueueListener.BindingData("""{"orderId":42,"customer":{"name":"Ada"},"lines":[1,2],"rush":true}""", "msg-1", "pop-1", 3,
            inserted, null, null, inserted);
        var request = new InvocationRequest();

        RpcValues.AddTriggerMetadata(request, data);

        var metadata = request.TriggerMetadata;
        Assert.AreEqual("3", metadata["DequeueCount"].Json);
        Assert.AreEqual("msg-1", metadata["Id"].String);
        Assert.AreEqual("pop-1", metadata["PopReceipt"].String);
        Assert.AreEqual("\"2026-12-01T20:14:51.6778964+00:00\"", metadata["InsertionTime"].Json);
        Assert.AreEqual("\"9999-12-31T23:59:59.9999999+00:00\"", metadata["ExpirationTime"].Json);
        Assert.AreEqual("42", metadata["orderId"].String);
        Assert.AreEqual("True", metadata["rush"].String);
        Assert.AreEqual("""{"name":"Ada"}""", metadata["customer"].Json);
        Assert.IsFalse(metadata.ContainsKey("lines"));
        Assert.AreEqual("""{"orderId":42,"customer":{"name":"Ada"},"lines":[1,2],"rush":true}""", metadata["QueueTrigger"].String);
    }

    [TestMethod]
    public void QueueBindingData_JsonPropertyNamedId_OverwritesMessageIdAsTheHostDoes()
    {
        var data = QueueListener.BindingData("""{"Id":"mine"}""", "msg-1", "pop", 1, null, null, null, DateTimeOffset.UnixEpoch);

        Assert.AreEqual("mine", data["Id"]);
    }

    [TestMethod]
    public void QueueBindingData_NotUtf8_NoQueueTrigger()
    {
        var request = new InvocationRequest();

        RpcValues.AddTriggerMetadata(request, QueueListener.BindingData(null, "m", "p", 1, null, null, null, DateTimeOffset.UnixEpoch));

        Assert.IsFalse(request.TriggerMetadata.ContainsKey("QueueTrigger"));
        Assert.AreEqual("\"1970-01-01T00:00:00+00:00\"", request.TriggerMetadata["InsertionTime"].Json);
    }

    [TestMethod]
    public void HttpBindingData_RouteQueryHeadersBody_RealHostShape()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["tag"] = new(["blue", "green"]), ["code"] = "secret" });
        var headers = new HeaderDictionary { ["Host"] = "127.0.0.1:7071", ["Content-Type"] = "application/json" };
        var route = new RouteValueDictionary { ["id"] = "42" };

        var data = HttpBindingData.Build(route, query, headers, """{"name":"widget","qty":3,"meta":{"a":1},"id":"from-body"}""");
        var request = new InvocationRequest();
        RpcValues.AddTriggerMetadata(request, data);
        var metadata = request.TriggerMetadata;

        Assert.AreEqual("42", metadata["id"].String);
        Assert.AreEqual("green", metadata["tag"].String);
        Assert.IsFalse(metadata.ContainsKey("code"));
        Assert.AreEqual("""{"tag":"green","code":"secret"}""", metadata["Query"].Json);
        Assert.AreEqual("""{"Host":"127.0.0.1:7071","Content-Type":"application/json"}""", metadata["Headers"].Json);
        Assert.AreEqual("widget", metadata["name"].String);
        Assert.AreEqual("3", metadata["qty"].String);
        Assert.AreEqual("""{"a":1}""", metadata["meta"].Json);
    }

    [TestMethod]
    public void HttpBindingData_NoBody_NoBodyProperties()
    {
        var data = HttpBindingData.Build(new RouteValueDictionary(), new QueryCollection(), new HeaderDictionary(), null);

        CollectionAssert.AreEquivalent(new[] { "Query", "Headers" }, data.Keys.ToArray());
    }

    [TestMethod]
    public void ToRpc_Values_AsTheHostConvertsThem()
    {
        Assert.AreEqual("text", RpcValues.ToRpc("text")!.String);
        Assert.AreEqual(1.5, RpcValues.ToRpc(1.5)!.Double);
        CollectionAssert.AreEqual(new byte[] { 1, 2 }, RpcValues.ToRpc(new byte[] { 1, 2 })!.Bytes.ToByteArray());
        Assert.AreEqual("7", RpcValues.ToRpc(7L)!.Json);
        Assert.AreEqual("true", RpcValues.ToRpc(true)!.Json);
        Assert.IsNull(RpcValues.ToRpc(null));
    }
}

/// <summary>How a queue output value becomes messages (the host's IAsyncCollector&lt;byte[]&gt; path).</summary>
[TestClass]
public sealed class HostQueueOutputTests
{
    [TestMethod]
    public void JsonArrayOfStrings_OneMessagePerElementWithoutQuotes() =>
        CollectionAssert.AreEqual(new[] { "job-1", "job-2" }, Texts(new TypedData { Json = """["job-1","job-2"]""" }));

    [TestMethod]
    public void JsonObject_OneMessageIndented()
    {
        var message = Texts(new TypedData { Json = """{"Source":"multi","Count":42}""" }).Single();

        Assert.AreEqual(JObject.Parse("""{"Source":"multi","Count":42}""").ToString(), message);
        StringAssert.Contains(message, Environment.NewLine);
    }

    [TestMethod]
    public void JsonArrayOfObjects_EachObjectOneMessage() =>
        Assert.HasCount(2, Texts(new TypedData { Json = """[{"a":1},{"a":2}]""" }));

    [TestMethod]
    public void JsonString_OneMessageWithoutQuotes() =>
        CollectionAssert.AreEqual(new[] { "hello" }, Texts(new TypedData { Json = "\"hello\"" }));

    [TestMethod]
    public void PlainString_OneMessage() =>
        CollectionAssert.AreEqual(new[] { "just text" }, Texts(new TypedData { String = "just text" }));

    [TestMethod]
    public void StringHoldingJsonArray_ParsedAndSplit() =>
        CollectionAssert.AreEqual(new[] { "1", "2" }, Texts(new TypedData { String = "[1,2]" }));

    [TestMethod]
    public void CollectionString_OneMessagePerElement()
    {
        var data = new TypedData { CollectionString = new CollectionString() };
        data.CollectionString.String.Add(["a", "b", "c"]);

        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, Texts(data));
    }

    [TestMethod]
    public void Bytes_OneMessageUnchanged()
    {
        var messages = RpcValues.QueueMessages(RpcValues.ToObject(new TypedData { Bytes = Google.Protobuf.ByteString.CopyFrom(0xff, 0x00) }));

        CollectionAssert.AreEqual(new byte[] { 0xff, 0x00 }, messages.Single());
    }

    [TestMethod]
    public void JsonNull_NoMessage() =>
        Assert.HasCount(0, Texts(new TypedData { Json = "null" }));

    [TestMethod]
    public void Split_ReturnValueAndNamedOutputs_ByBindingName()
    {
        var function = Function("""{"name":"msg","type":"queueTrigger","direction":"In","queueName":"in-q"}""",
            """{"name":"$return","type":"queue","direction":"Out","queueName":"OUT"}""",
            """{"name":"Audit","type":"queue","direction":"Out","queueName":"%AuditQueue%"}""");
        var response = new InvocationResponse { ReturnValue = new TypedData { Json = """["x","y"]""" } };
        response.OutputData.Add(new ParameterBinding { Name = "Audit", Data = new TypedData { Json = """{"n":1}""" } });

        var split = QueueOutputWriter.Split(function, response).ToDictionary(s => s.Output.QueueName, s => s.Messages.Count);

        Assert.AreEqual(2, split["out"]);
        Assert.AreEqual(1, split["audit-q"]);
    }

    internal static FunctionDefinition Function(params string[] rawBindings)
    {
        var metadata = new RpcFunctionMetadata { Name = "F", FunctionId = "123", ScriptFile = "App.dll", EntryPoint = "App.F.Run", Language = "dotnet-isolated" };
        metadata.RawBindings.Add(rawBindings);
        return FunctionDefinition.FromMetadata(metadata, new AppSettings(name => name == "AuditQueue" ? "audit-q" : null));
    }

    private static string[] Texts(TypedData data) =>
        [.. RpcValues.QueueMessages(RpcValues.ToObject(data)).Select(b => Encoding.UTF8.GetString(b))];
}

/// <summary>Reading the worker's metadata, building load requests and the worker's command line.</summary>
[TestClass]
public sealed class HostFunctionDefinitionTests
{
    [TestMethod]
    public void HttpTrigger_NoRoute_RouteIsFunctionNameMethodsUpperCase()
    {
        var function = HostQueueOutputTests.Function("""{"name":"req","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["get","post"]}""");

        var trigger = (HttpTrigger)function.Trigger;
        Assert.AreEqual("F", trigger.Route);
        CollectionAssert.AreEqual(new[] { "GET", "POST" }, trigger.Methods.ToArray());
    }

    [TestMethod]
    public void QueueTrigger_SettingInQueueName_Resolved()
    {
        var function = HostQueueOutputTests.Function("""{"name":"m","type":"queueTrigger","direction":"In","queueName":"%AuditQueue%","dataType":"String"}""");

        Assert.AreEqual("audit-q", ((QueueTrigger)function.Trigger).QueueName);
    }

    [TestMethod]
    public void UnsetSetting_FunctionInError() =>
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            HostQueueOutputTests.Function("""{"name":"m","type":"queueTrigger","direction":"In","queueName":"%Missing%"}"""));

    [TestMethod]
    public void UnsupportedTrigger_FunctionInError() =>
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            HostQueueOutputTests.Function("""{"name":"b","type":"blobTrigger","direction":"In","path":"c/{name}"}"""));

    [TestMethod]
    public void LoadRequest_TypeDirectionDataTypeOnly()
    {
        var function = HostQueueOutputTests.Function(
            """{"name":"m","type":"queueTrigger","direction":"In","queueName":"q-one","connection":"AzureWebJobsStorage","dataType":"String"}""",
            """{"name":"$return","type":"queue","direction":"Out","queueName":"q-two"}""");

        var load = function.ToLoadRequest();

        Assert.AreEqual("123", load.FunctionId);
        Assert.AreEqual("App.dll", load.Metadata.ScriptFile);
        Assert.AreEqual("App.F.Run", load.Metadata.EntryPoint);
        Assert.AreEqual("", load.Metadata.Directory);
        Assert.AreEqual(BindingInfo.Types.DataType.String, load.Metadata.Bindings["m"].DataType);
        Assert.AreEqual(BindingInfo.Types.Direction.Out, load.Metadata.Bindings["$return"].Direction);
        Assert.HasCount(0, load.Metadata.Bindings["m"].Properties);
        Assert.HasCount(0, load.Metadata.RawBindings);
    }

    [TestMethod]
    public void WorkerCommandLine_AsTheRealHostBuildsIt()
    {
        var root = Path.Combine(Path.GetTempPath(), "app");
        var app = new AppDefinition(root, "id", new WorkerDescription("dotnet-isolated", "dotnet", "MyApp.dll", [], [], true),
            TimeSpan.FromMinutes(5), "api", QueuesOptions.Read(null));

        var (file, arguments) = WorkerProcess.CommandLine(app, new Uri("http://127.0.0.1:33057/"), "W", "R");

        Assert.AreEqual("dotnet", file);
        Assert.AreEqual(
            $"\"{Path.Combine(root, "MyApp.dll")}\" --host 127.0.0.1 --port 33057 --workerId W --requestId R --grpcMaxMessageLength 2147483647 "
            + "--functions-uri http://127.0.0.1:33057/ --functions-worker-id W --functions-request-id R --functions-grpc-max-message-length 2147483647",
            arguments);
        var variables = WorkerProcess.Variables(app, new AppSettings(_ => null));
        Assert.AreEqual(root, variables["FUNCTIONS_APPLICATION_DIRECTORY"]);
        Assert.AreEqual(root, variables["FUNCTIONS_WORKER_DIRECTORY"]);
        Assert.AreEqual("dotnet-isolated", variables["FUNCTIONS_WORKER_RUNTIME"]);
    }
}

/// <summary>The host's route table: templates, constraints, methods, 404s.</summary>
[TestClass]
public sealed class HostRouteTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Routes_TemplatesConstraintsAndMethods_MatchLikeTheWorker()
    {
        var ct = TestContext.CancellationToken;
        var functions = new[]
        {
            HostQueueOutputTests.Function("""{"name":"req","type":"httpTrigger","direction":"In","methods":["get"],"route":"items/{id}"}"""),
            Http("Numbers", """{"name":"req","type":"httpTrigger","direction":"In","methods":["get"],"route":"numbers/{n:int}"}"""),
            Http("Any", """{"name":"req","type":"httpTrigger","direction":"In"}"""),
        };
        await using var app = await ServeAsync(functions, ct);
        using var client = app.GetTestClient();

        Assert.AreEqual("F id=42", await client.GetStringAsync("/api/items/42", ct));
        Assert.AreEqual("Numbers n=7", await client.GetStringAsync("/api/numbers/7", ct));
        Assert.AreEqual("Any", await client.GetStringAsync("/api/Any", ct));
        using var deleteAny = await client.DeleteAsync("/api/Any", ct);
        Assert.AreEqual(HttpStatusCode.OK, deleteAny.StatusCode);
        foreach (var (method, path) in new[] { ("GET", "/api/numbers/x"), ("POST", "/api/items/42"), ("GET", "/items/42"), ("GET", "/api/none") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), ct);
            Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode, $"{method} {path}");
        }
    }

    private static FunctionDefinition Http(string name, string raw)
    {
        var metadata = new RpcFunctionMetadata { Name = name, FunctionId = name, ScriptFile = "App.dll", EntryPoint = "App.Run" };
        metadata.RawBindings.Add(raw);
        return FunctionDefinition.FromMetadata(metadata, new AppSettings(_ => null));
    }

    private static async Task<WebApplication> ServeAsync(IEnumerable<FunctionDefinition> functions, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var routes = new HttpRoutes();
        routes.Set("api", functions, (context, function) => context.Response.WriteAsync(
            function.Name + string.Concat(context.Request.RouteValues.Select(v => $" {v.Key}={v.Value}")), context.RequestAborted));
        HttpRoutes.UseFunctionsRouting(app);
        ((IEndpointRouteBuilder)app).DataSources.Add(routes);
        await app.StartAsync(ct);
        return app;
    }
}
