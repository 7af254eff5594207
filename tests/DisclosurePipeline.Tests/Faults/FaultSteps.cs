using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>The steps the fault tests share: load the registry, run a sync, watch it, ask the platform what is true.</summary>
internal static class FaultSteps
{
    /// <summary>Imports the simulator's first <paramref name="count"/> entities as the registry; returns their ids.</summary>
    public static async Task<IReadOnlyList<string>> ImportRegistryAsync(PipelineStack stack, int count, CancellationToken ct)
    {
        var csv = await stack.Simulator.GetStringAsync($"sim/registry.csv?count={count}", ct);
        using var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        Assert.AreEqual(HttpStatusCode.OK, import.StatusCode, await import.Content.ReadAsStringAsync(ct));
        return [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0])];
    }

    /// <summary>Sets the simulator's latency per platform request (0 for none), so that a sync lasts long enough to interrupt.</summary>
    public static async Task SetPlatformLatencyAsync(PipelineStack stack, int milliseconds, CancellationToken ct)
    {
        using var faults = await stack.Simulator.PutAsJsonAsync("sim/faults", new { latencyMs = milliseconds }, ct);
        faults.EnsureSuccessStatusCode();
    }

    /// <summary>The latest run's id, or null before the first.</summary>
    public static async Task<string?> LatestRunIdAsync(PipelineStack stack, CancellationToken ct)
    {
        using var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
        return response.StatusCode == HttpStatusCode.OK ? (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["runId"] : null;
    }

    /// <summary>Fires ScheduleSupplierSync and waits until a new run is the latest and at least <paramref name="batchesDone"/> of its batches are done.</summary>
    public static async Task<JsonObject> StartSyncAsync(PipelineStack stack, int batchesDone, CancellationToken ct)
    {
        var before = await LatestRunIdAsync(stack, ct);
        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using (var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct))
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var run = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
                    if ((string?)run["runId"] != before && ((int)run["batchesDone"]! >= batchesDone || (string?)run["status"] != "running"))
                    {
                        return run;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no new sync run with a batch done:" + Environment.NewLine + stack.HostOutput);
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// Polls the latest run until it is no longer running and returns it. Every answer on the way must be 200, or 503
    /// with Retry-After and problem details (the worker restarting, storage down); returns how many 503s there were.
    /// </summary>
    public static async Task<(JsonObject Run, int Unavailable)> WaitForRunAsync(PipelineStack stack, string runId, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var unavailable = 0;
        while (true)
        {
            using var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                AssertUnavailable(response, body);
                unavailable++;
            }
            else
            {
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body + Environment.NewLine + stack.HostOutput);
                var run = JsonNode.Parse(body)!.AsObject();
                Assert.AreEqual(runId, (string?)run["runId"], body);
                if ((string?)run["status"] != "running")
                {
                    return (run, unavailable);
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {runId} did not finish: {body}{Environment.NewLine}{stack.HostOutput}");
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>A 503 as the pipeline promises it: Retry-After in seconds, problem+json, no internals.</summary>
    public static void AssertUnavailable(HttpResponseMessage response, string body)
    {
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode, body);
        Assert.IsTrue(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: '{response.Headers.RetryAfter}' on {body}");
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, body);
        Assert.AreEqual(503, (int)JsonNode.Parse(body)!["status"]!, body);
        foreach (var secret in new[] { "devstoreaccount1", "127.0.0.1", "Exception", "AccountKey", " at " })
        {
            Assert.IsFalse(body.Contains(secret, StringComparison.Ordinal), $"the 503 body names '{secret}': {body}");
        }
    }

    /// <summary>Kills the stack's worker process (the pid the host reports: this test's worker, nobody else's).</summary>
    public static async Task KillWorkerAsync(PipelineStack stack, CancellationToken ct)
    {
        var pid = await stack.WorkerProcessIdAsync(ct);
        using var worker = Process.GetProcessById(pid);
        worker.Kill();
        await worker.WaitForExitAsync(ct);
    }

    /// <summary>Every (enterprise, record) the platform holds for <paramref name="ids"/>, asked of the simulator directly.</summary>
    public static async Task<HashSet<(string EnterpriseId, string RecordId)>> PlatformRecordsAsync(PipelineStack stack, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var records = new HashSet<(string, string)>();
        foreach (var chunk in ids.Chunk(100))
        {
            string? token = null;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/violations:query", UriKind.Relative))
                {
                    Content = JsonContent.Create(new { enterpriseIds = chunk, pageToken = token }),
                };
                request.Headers.Add("X-Api-Key", PipelineStack.SimulatorKey);
                using var response = await stack.Simulator.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                var page = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
                foreach (var record in (JsonArray)page["records"]!)
                {
                    records.Add(((string)record!["enterpriseId"]!, (string)record["recordId"]!));
                }

                token = (string?)page["nextPageToken"];
            }
            while (token is not null);
        }

        return records;
    }

    /// <summary>Every case the pipeline lists, every page, as (supplier, record) pairs, duplicates kept.</summary>
    public static async Task<List<(string SupplierId, string RecordId)>> CasesAsync(PipelineStack stack, CancellationToken ct)
    {
        var cases = new List<(string, string)>();
        string? token = null;
        do
        {
            var path = token is null ? "api/violations" : "api/violations?continuationToken=" + Uri.EscapeDataString(token);
            using var response = await stack.Staff.GetAsync(path, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
            var page = JsonNode.Parse(body)!;
            cases.AddRange(((JsonArray)page["items"]!).Select(c => ((string)c!["supplierId"]!, (string)c["recordId"]!)));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);

        return cases;
    }
}
