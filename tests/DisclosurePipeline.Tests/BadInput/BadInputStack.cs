using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// The whole product (<see cref="PipelineStack"/>) with timers disabled, so nothing but the requests under test writes:
/// a registry imported from the simulator and synced, one supplier (<see cref="Owner"/>) with a case holding one pending
/// plan that has a PDF, another supplier (<see cref="Stranger"/>) with a key of its own.
/// </summary>
internal sealed class BadInputStack : IAsyncDisposable
{
    public const string PlanJson = """
        {"summary":"更换阀门","rootCause":"阀门老化","actions":[{"description":"更换阀门","owner":"厂长","dueOn":"2030-01-31"}],"expectedCompletionOn":"2030-02-28","contact":{"name":"李雷","email":"li@example.com"}}
        """;

    public static readonly byte[] Pdf = "%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"u8.ToArray();

    private BadInputStack(PipelineStack stack) => Stack = stack;

    public PipelineStack Stack { get; }

    public string Owner { get; private set; } = "";

    public string Stranger { get; private set; } = "";

    public string RecordId { get; private set; } = "";

    public string PlanId { get; private set; } = "";

    public HttpClient OwnerClient { get; private set; } = null!;

    public HttpClient StrangerClient { get; private set; } = null!;

    public string OwnerKey { get; private set; } = "";

    public static async Task<BadInputStack> StartAsync(CancellationToken ct)
    {
        var stack = new BadInputStack(await PipelineStack.StartAsync(20, null, ct));
        try
        {
            await stack.SetUpAsync(ct);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }

        return stack;
    }

    /// <summary>A client for the host with an <c>Authorization</c> header as given (null: none).</summary>
    public HttpClient Client(string? authorization)
    {
        var client = new HttpClient { BaseAddress = Stack.Functions.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        OwnerClient?.Dispose();
        StrangerClient?.Dispose();
        await Stack.DisposeAsync();
    }

    private async Task SetUpAsync(CancellationToken ct)
    {
        var csv = await Stack.Simulator.GetStringAsync("sim/registry.csv", ct);
        var registry = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0]).ToList();
        using (var import = await Stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, import.StatusCode, await import.Content.ReadAsStringAsync(ct));
        }

        Owner = registry[1];
        Stranger = registry[2];
        using (var created = await Stack.Simulator.PostAsJsonAsync("sim/records", new { enterpriseId = Owner, summary = "超标排放废水", publishedAt = DateTimeOffset.UtcNow.AddHours(-1) }, ct))
        {
            Assert.AreEqual(HttpStatusCode.Created, created.StatusCode);
            RecordId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!["recordId"]!;
        }

        await Stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        await Eventually.UntilAsync(
            async t =>
            {
                using var response = await Stack.Staff.GetAsync($"api/violations?supplierId={Owner}", t);
                return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(t)).Contains(RecordId, StringComparison.Ordinal);
            },
            "the owner's case after the sync",
            ct,
            TimeSpan.FromSeconds(90));
        await Eventually.UntilAsync(
            async t => (await Stack.Staff.GetStringAsync("api/sync-runs/latest", t)).Contains("\"completed\"", StringComparison.Ordinal),
            "the sync run to complete",
            ct,
            TimeSpan.FromSeconds(90));

        OwnerKey = await Stack.IssueSupplierKeyAsync(Owner, ct);
        OwnerClient = Client("Bearer " + OwnerKey);
        StrangerClient = Client("Bearer " + await Stack.IssueSupplierKeyAsync(Stranger, ct));

        // A key records its first use (then at most hourly): both keys are used here, so that bookkeeping write is
        // not what a case's storage comparison sees. (The owner's is used by the plan below.)
        using (var first = await StrangerClient.GetAsync("api/me/violations", ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, first.StatusCode);
        }

        using (var plan = await OwnerClient.PostAsync($"api/me/violations/{RecordId}/plans", new StringContent(PlanJson, Encoding.UTF8, "application/json"), ct))
        {
            Assert.AreEqual(HttpStatusCode.Created, plan.StatusCode, await plan.Content.ReadAsStringAsync(ct));
            PlanId = (string)JsonNode.Parse(await plan.Content.ReadAsStringAsync(ct))!["planId"]!;
        }

        using var pdf = new ByteArrayContent(Pdf);
        pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var uploaded = await OwnerClient.PutAsync($"api/me/violations/{RecordId}/plans/{PlanId}/document", pdf, ct);
        Assert.AreEqual(HttpStatusCode.NoContent, uploaded.StatusCode, await uploaded.Content.ReadAsStringAsync(ct));
    }
}
