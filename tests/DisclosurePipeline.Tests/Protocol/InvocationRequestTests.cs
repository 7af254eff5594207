using System.Text.Json.Nodes;
using DisclosurePipeline.Functions.Protocol;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>
/// Payloads shaped as the Functions host sends them: the documented single-encoded shape and the
/// host source's double-encoded strings with string-typed numbers must decode to the same values.
/// </summary>
[TestClass]
public sealed class InvocationRequestTests
{
    // As the host source emits a queue invocation: strings JSON-encoded twice, DequeueCount a string,
    // top-level message properties copied into Metadata.
    private const string SourceShapedQueuePayload = """
        {
          "Data": { "msg": "\"{\\\"runId\\\":\\\"r-1\\\",\\\"batch\\\":3}\"" },
          "Metadata": {
            "DequeueCount": "2",
            "ExpirationTime": "2025-01-22T10:00:00+00:00",
            "Id": "\"0d1d2c1e-4a35-4f0f-9a3e-2f6f7c1b9d11\"",
            "InsertionTime": "2025-01-15T10:00:00+00:00",
            "NextVisibleTime": "2025-01-15T10:10:00+00:00",
            "PopReceipt": "\"AgAAAAMAAAAAAAAAAgtnj8x+1QE=\"",
            "runId": "\"r-1\"",
            "sys": { "MethodName": "SyncSupplierBatch", "UtcNow": "2025-01-15T10:00:00.1234567Z", "RandGuid": "4e773554-f6b7-4ea2-b07d-4c5fd5aba741" }
          }
        }
        """;

    // As the docs show it: single-encoded message, numeric DequeueCount, unquoted Id.
    private const string DocShapedQueuePayload = """
        {
          "Data": { "msg": "{\"runId\":\"r-1\",\"batch\":3}" },
          "Metadata": {
            "DequeueCount": 2,
            "Id": "0d1d2c1e-4a35-4f0f-9a3e-2f6f7c1b9d11",
            "PopReceipt": "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
            "sys": { "MethodName": "SyncSupplierBatch", "UtcNow": "2025-01-15T10:00:00.1234567Z" }
          }
        }
        """;

    [TestMethod]
    [DataRow(SourceShapedQueuePayload)]
    [DataRow(DocShapedQueuePayload)]
    public void Parse_QueuePayloadInEitherShape_DecodesMessageAndMetadata(string payload)
    {
        var request = InvocationRequest.Parse(JsonNode.Parse(payload));

        var message = request.Data("msg") as JsonObject;
        Assert.IsNotNull(message, "the message should decode to a JSON object");
        Assert.AreEqual("r-1", (string?)message["runId"]);
        Assert.AreEqual(3, (int?)message["batch"]);
        Assert.AreEqual("""{"runId":"r-1","batch":3}""", request.DataText("msg"));
        Assert.AreEqual(2, request.MetadataInt("DequeueCount"));
        Assert.AreEqual("0d1d2c1e-4a35-4f0f-9a3e-2f6f7c1b9d11", request.MetadataText("Id"));
        Assert.AreEqual("AgAAAAMAAAAAAAAAAgtnj8x+1QE=", request.MetadataText("PopReceipt"));
    }

    [TestMethod]
    public void Parse_TimerPayload_ReadsIsPastDueAndScheduleStatus()
    {
        var request = InvocationRequest.Parse(JsonNode.Parse("""
            {
              "Data": {
                "timer": {
                  "Schedule": { "AdjustForDST": true },
                  "ScheduleStatus": { "Last": "0001-01-01T00:00:00", "Next": "2025-01-15T02:00:00+00:00", "LastUpdated": "2025-01-14T02:00:00.0012345+00:00" },
                  "IsPastDue": true
                }
              },
              "Metadata": { "sys": { "MethodName": "NightlyJob", "UtcNow": "2025-01-15T02:00:00.0151234Z" } }
            }
            """));

        var timer = request.Data("timer") as JsonObject;
        Assert.IsNotNull(timer);
        Assert.IsTrue((bool?)timer["IsPastDue"]);
        Assert.AreEqual(
            new DateTimeOffset(2025, 1, 15, 2, 0, 0, TimeSpan.Zero),
            InvocationRequest.ParseTime((string?)timer["ScheduleStatus"]!["Next"]));
        Assert.AreEqual(DateTimeOffset.MinValue.Year, InvocationRequest.ParseTime((string?)timer["ScheduleStatus"]!["Last"])!.Value.Year);
    }

    [TestMethod]
    public void Parse_LowerCaseTopLevelNames_AreAccepted()
    {
        var request = InvocationRequest.Parse(JsonNode.Parse("""{"data":{"msg":"\"plain text\""},"metadata":{"dequeueCount":"1"}}"""));

        Assert.AreEqual("plain text", request.DataText("msg"));
        Assert.AreEqual(1, request.MetadataInt("DequeueCount"));
    }

    [TestMethod]
    public void Parse_NonObjectPayload_IsRejected()
    {
        Assert.ThrowsExactly<InvalidInvocationException>(() => InvocationRequest.Parse(JsonNode.Parse("[1,2]")));
    }

    [TestMethod]
    public void Unwrap_StringThatIsNotJson_StaysText()
    {
        var node = InvocationRequest.Unwrap(JsonValue.Create("\"{not json\""));

        Assert.AreEqual("{not json", node!.GetValue<string>());
    }

    [TestMethod]
    public void ToJson_AlwaysHasOutputsLogsAndReturnValue()
    {
        var response = new InvocationResponse();
        response.Logs.Add("batch 3: 100 synced");

        var json = response.ToJson();

        Assert.IsNotNull(json["Outputs"] as JsonObject);
        Assert.AreEqual("batch 3: 100 synced", (string?)json["Logs"]![0]);
        Assert.IsTrue(json.ContainsKey("ReturnValue"));
    }
}
