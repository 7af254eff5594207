using System.Text.Json.Nodes;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// The bad-input matrix (<see cref="BadInputMatrix"/>) end to end: each request goes through the local Functions host
/// to the published app over the real stack and must get exactly its status, as application/problem+json naming the
/// status (and the field, for validation errors; <c>Allow</c> for 405), and leave every table row, blob and queue as it
/// was — compared through storage itself, not the API. One stack for the class; the rows run one after another.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class BadInputMatrixTests
{
    private static BadInputStack stack = null!;
    private static int clients;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Cases => BadInputMatrix.Names;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) => stack = await BadInputStack.StartAsync(context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    public void Matrix_Size_CoversAtLeast250Requests() =>
        Assert.IsGreaterThanOrEqualTo(250, BadInputMatrix.Cases.Count, "the bad-input matrix has at least 250 cases");

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    [DynamicData(nameof(Cases))]
    public async Task Request_BadInput_AnswersItsProblemAndChangesNothing(string name)
    {
        var ct = TestContext.CancellationToken;
        var c = BadInputMatrix.Cases[name];
        var before = await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct);

        using var client = ClientFor(c.Caller);
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), Fill(c.Path));
        foreach (var (header, value) in c.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (c.Body is not null)
        {
            var bytes = c.Body();
            request.Content = c.Chunked ? new StreamContent(new UnsizedStream(bytes)) : new ByteArrayContent(bytes);
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
        }

        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        var what = $"{c.Method} {c.Path} as {c.Caller}: {(int)response.StatusCode} {Cut(body)}";
        Assert.AreEqual(c.Status, (int)response.StatusCode, what);
        if (c.Allow is not null)
        {
            Assert.AreEqual(c.Allow, string.Join(", ", response.Content.Headers.Allow), what);
        }

        if (c.Method != "HEAD")
        {
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, what);
            var problem = JsonNode.Parse(body)!.AsObject();
            Assert.AreEqual(c.Status, (int?)problem["status"], what);
            Assert.IsFalse(string.IsNullOrWhiteSpace((string?)problem["title"]), what);
            if (c.ErrorField is not null)
            {
                var errors = problem["errors"]?.AsObject();
                Assert.IsTrue(errors?.ContainsKey(c.ErrorField) == true, $"errors name {c.ErrorField}: {what}");
            }
        }

        var after = await StorageSnapshot.TakeAsync(stack.Stack.StorageConnectionString, ct);
        Assert.AreEqual("", after.DifferenceFrom(before), $"storage changed: {what}");
    }

    private static string Fill(string path) => path
        .Replace("{owner}", stack.Owner, StringComparison.Ordinal)
        .Replace("{stranger}", stack.Stranger, StringComparison.Ordinal)
        .Replace("{record}", stack.RecordId, StringComparison.Ordinal)
        .Replace("{plan}", stack.PlanId, StringComparison.Ordinal);

    /// <summary>
    /// A client from a loopback address of its own (127.2.x.y), so that the matrix's hundreds of refused keys are not
    /// counted against one address by the failed-authentication limit (which would answer 429 after ten).
    /// </summary>
    private static HttpClient ClientFor(string caller)
    {
        var n = Interlocked.Increment(ref clients);
        var client = stack.Stack.ClientFrom(new System.Net.IPAddress([127, 2, (byte)(n / 250), (byte)(n % 250 + 1)]), null);
        client.Timeout = TimeSpan.FromMinutes(3);
        string[] headers = caller switch
        {
            "none" => [],
            "staff" => ["Bearer " + Infrastructure.PipelineStack.StaffKey],
            "analyst" => ["Bearer " + Infrastructure.PipelineStack.AnalystKey],
            "owner" => ["Bearer " + stack.OwnerKey],
            "stranger" => [stack.StrangerClient.DefaultRequestHeaders.Authorization!.ToString()],
            _ when caller.StartsWith("raw:", StringComparison.Ordinal) => caller[4..].Split('\n'),
            _ => throw new ArgumentException("unknown caller " + caller, nameof(caller)),
        };
        foreach (var header in headers)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        }

        return client;
    }

    private static string Cut(string text) => text.Length > 400 ? text[..400] + "…" : text;

    /// <summary>A stream whose length is unknown, so the body goes chunked.</summary>
    private sealed class UnsizedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
