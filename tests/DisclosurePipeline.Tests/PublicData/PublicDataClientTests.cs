using System.Diagnostics;
using System.Globalization;
using System.Text;
using DisclosurePipeline.Domain;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace DisclosurePipeline.Tests.PublicData;

/// <summary>The public data client over HTTP against the simulator, run as a real process.</summary>
[TestClass]
[DoNotParallelize]
public sealed class PublicDataClientTests
{
    private const int Entities = 300;
    private static SimulatorProcess simulator = null!;
    private static List<string[]> registry = null!;

    public TestContext TestContext { get; set; } = null!;

    private static IReadOnlyList<string> RegistryIds => [.. registry.Select(r => r[0])];

    [ClassInitialize]
    public static async Task StartSimulatorAsync(TestContext context)
    {
        simulator = await SimulatorProcess.StartAsync(Entities, seed: 7, context.CancellationToken);
        registry = await simulator.RegistryAsync(Entities, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopSimulatorAsync()
    {
        if (simulator is not null)
        {
            await simulator.DisposeAsync();
        }
    }

    [TestInitialize]
    public async Task ResetFaultsAsync() => await simulator.ResetAsync(TestContext.CancellationToken);

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_WholeRegistryOver100Ids_MatchesThePlatformEnterpriseByEnterprise()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        var result = await client.QueryViolationsAsync([.. RegistryIds], ct);

        var stats = await simulator.StatsAsync(ct);
        Assert.AreEqual(0, stats.Count(400), "no request may carry more than 100 ids");
        Assert.IsGreaterThanOrEqualTo(5, stats.Requests, "three chunks of at most 100, and the paging enterprise's extra pages");
        Assert.IsEmpty(result.Invalid);
        var byEnterprise = result.Records.ToLookup(r => r.EnterpriseId);
        var unknown = 0;
        foreach (var id in RegistryIds)
        {
            var view = await simulator.EnterpriseAsync(id, ct);
            if (!view["onPlatform"]!.GetValue<bool>())
            {
                unknown++;
                Assert.Contains(id, result.NotFound);
                continue;
            }

            var expected = view["records"]!.AsArray().Select(r => (Id: r!["recordId"]!.GetValue<string>(), Removed: r["status"]!.GetValue<string>() == "removed"))
                .OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            var actual = byEnterprise[id].Select(r => (Id: r.RecordId, r.Removed)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            CollectionAssert.AreEqual(expected, actual, $"records of {id}");
        }

        Assert.IsGreaterThan(0, unknown, "the registry holds enterprises unknown to the platform");
        Assert.HasCount(unknown, result.NotFound);
        Assert.IsGreaterThan(Entities / 5, byEnterprise.Count, "about 30% of enterprises have records");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_EnterpriseWithMoreThan500Records_FollowsEveryPage()
    {
        var ct = TestContext.CancellationToken;
        var info = await simulator.InfoAsync(ct);
        var pagingId = info["pagingEnterpriseId"]!.GetValue<string>();
        var expected = info["pagingRecordCount"]!.GetValue<int>();
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        var result = await client.QueryViolationsAsync([pagingId], ct);

        Assert.IsGreaterThan(500, expected);
        Assert.HasCount(expected, result.Records);
        Assert.HasCount(expected, result.Records.Select(r => r.RecordId).Distinct(StringComparer.Ordinal));
        Assert.IsTrue(result.Records.All(r => r.EnterpriseId == pagingId));
        Assert.AreEqual((expected + 499) / 500, (await simulator.StatsAsync(ct)).Requests, "one request per page of 500");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Queries_UnknownAndMalformedIds_AreReportedAsNotFoundAndInvalid()
    {
        var ct = TestContext.CancellationToken;
        var known = await FirstOnPlatformAsync(ct);
        var unknown = UnknownId(1);
        using (var missing = await simulator.Control.GetAsync($"sim/enterprises/{unknown}", ct))
        {
            Assert.AreEqual(System.Net.HttpStatusCode.NotFound, missing.StatusCode, "precondition: the made-up id is not generated");
        }

        var wrongCheck = known[..17] + Uscc.Alphabet[(Uscc.Alphabet.IndexOf(known[17], StringComparison.Ordinal) + 1) % 31];
        string[] malformed = ["not-a-uscc", known.ToLowerInvariant(), wrongCheck];
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        var violations = await client.QueryViolationsAsync([known, unknown, .. malformed], ct);
        var disclosures = await client.QueryDisclosuresAsync([known, unknown, .. malformed], 2025, ct);

        CollectionAssert.AreEqual(new[] { unknown }, violations.NotFound.ToArray());
        CollectionAssert.AreEquivalent(malformed, violations.Invalid.ToArray());
        Assert.IsTrue(violations.Records.All(r => r.EnterpriseId == known));
        CollectionAssert.AreEqual(new[] { unknown }, disclosures.NotFound.ToArray());
        CollectionAssert.AreEquivalent(malformed, disclosures.Invalid.ToArray());
        Assert.AreEqual(2025, disclosures.Year);
        Assert.AreEqual(known, disclosures.Items.Single().EnterpriseId);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_ThrottledWith429_WaitsTheRetryAfterAndSucceeds()
    {
        var ct = TestContext.CancellationToken;
        var clock = new RecordingTimeProvider();
        await using var services = simulator.CreateClientServices(maxAttempts: 6, timeProvider: clock);
        var client = services.GetRequiredService<IPublicDataClient>();
        var ids = RegistryIds.Skip(2).Take(50).ToList();
        var expected = await client.QueryViolationsAsync(ids, ct);
        await simulator.ResetAsync(ct);
        await simulator.SetFaultsAsync(new { rate429 = 1.0, retryAfterSeconds = 1 }, ct);

        var stopwatch = Stopwatch.StartNew();
        var query = client.QueryViolationsAsync(ids, ct);
        await WaitForStatsAsync(s => s.Injected429 >= 1, ct);
        await simulator.SetFaultsAsync(new { }, ct);
        var result = await query;
        stopwatch.Stop();

        CollectionAssert.AreEqual(expected.Records.ToArray(), result.Records.ToArray());
        var stats = await simulator.StatsAsync(ct);
        Assert.IsGreaterThanOrEqualTo(1, stats.Count(429));
        Assert.AreEqual(1, stats.Count(200));
        Assert.Contains(TimeSpan.FromSeconds(1), clock.DueTimes, "the retry waited exactly the Retry-After");
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), stopwatch.Elapsed);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Requests_RetriedAndRefused_SendTheKeyAsXApiKeyAndNeverLogIt()
    {
        var ct = TestContext.CancellationToken;
        using var logs = new CapturingLoggerProvider();
        await using (var services = simulator.CreateClientServices(maxAttempts: 3, logs: logs))
        {
            var client = services.GetRequiredService<IPublicDataClient>();
            Assert.IsNotEmpty((await client.QueryDisclosuresAsync(RegistryIds.Take(3).ToList(), 2026, ct)).Items, "the key is accepted");
            await simulator.SetFaultsAsync(new { rate5xx = 1.0 }, ct);
            await Assert.ThrowsExactlyAsync<PublicDataException>(() => client.QueryViolationsAsync(RegistryIds.Take(3).ToList(), ct));
            await simulator.SetFaultsAsync(new { }, ct);
        }

        await using (var wrongKey = simulator.CreateClientServices(apiKey: "not-the-key-0123456789", logs: logs))
        {
            await Assert.ThrowsExactlyAsync<PublicDataException>(() => wrongKey.GetRequiredService<IPublicDataClient>().QueryViolationsAsync(RegistryIds.Take(3).ToList(), ct));
        }

        Assert.IsTrue(logs.Lines.Any(l => l.Contains("X-Api-Key", StringComparison.OrdinalIgnoreCase)), "the header is there (redacted) in the HTTP logs");
        Assert.IsFalse(logs.Lines.Any(l => l.Contains(SimulatorProcess.ApiKey, StringComparison.Ordinal) || l.Contains("not-the-key-0123456789", StringComparison.Ordinal)), "no key in any log line");
        Assert.IsTrue(logs.Lines.Any(l => l.Contains("retrying", StringComparison.OrdinalIgnoreCase)), "retries were logged");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryDisclosures_TransientServerErrors_AreRetriedUntilTheyPass()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices(maxAttempts: 20, retryBaseDelay: TimeSpan.FromMilliseconds(20));
        var client = services.GetRequiredService<IPublicDataClient>();
        var ids = RegistryIds.Take(80).ToList();
        var expected = await client.QueryDisclosuresAsync(ids, 2026, ct);
        await simulator.ResetAsync(ct);
        await simulator.SetFaultsAsync(new { rate5xx = 1.0 }, ct);

        var query = client.QueryDisclosuresAsync(ids, 2026, ct);
        await WaitForStatsAsync(s => s.Injected5xx >= 2, ct);
        await simulator.SetFaultsAsync(new { }, ct);
        var result = await query;

        CollectionAssert.AreEqual(expected.Items.ToArray(), result.Items.ToArray());
        var stats = await simulator.StatsAsync(ct);
        Assert.IsGreaterThanOrEqualTo(2, stats.Count(502) + stats.Count(503) + stats.Count(504));
        Assert.AreEqual(1, stats.Count(200));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_FaultsOutlastingTheRetries_ThrowWithTheLastStatus()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices(maxAttempts: 3);
        var client = services.GetRequiredService<IPublicDataClient>();
        await simulator.SetFaultsAsync(new { rate5xx = 1.0 }, ct);

        var error = await Assert.ThrowsExactlyAsync<PublicDataException>(() => client.QueryViolationsAsync(RegistryIds.Take(10).ToList(), ct));

        Assert.IsTrue(error.StatusCode is 502 or 503 or 504, $"status {error.StatusCode}");
        Assert.AreEqual(3, (await simulator.StatsAsync(ct)).Requests);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_WrongApiKey_IsPermanentAndNotRetried()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices(apiKey: "not-the-key", maxAttempts: 6);
        var client = services.GetRequiredService<IPublicDataClient>();

        var error = await Assert.ThrowsExactlyAsync<PublicDataException>(() => client.QueryViolationsAsync(RegistryIds.Take(10).ToList(), ct));

        Assert.AreEqual(401, error.StatusCode);
        var stats = await simulator.StatsAsync(ct);
        Assert.AreEqual(1, stats.Requests);
        Assert.AreEqual(1, stats.Count(401));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_SlowerThanTheAttemptTimeout_RetriesThenGivesUp()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices(maxAttempts: 2, attemptTimeout: TimeSpan.FromMilliseconds(200));
        var client = services.GetRequiredService<IPublicDataClient>();
        await simulator.SetFaultsAsync(new { latencyMs = 3000 }, ct);

        var error = await Assert.ThrowsExactlyAsync<PublicDataException>(() => client.QueryViolationsAsync(RegistryIds.Take(10).ToList(), ct));

        Assert.IsInstanceOfType<TimeoutRejectedException>(error.InnerException);
        Assert.AreEqual(2, (await simulator.StatsAsync(ct)).Requests);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_ManyChunks_StayWithinTheConcurrencyCap()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices(maxConcurrentRequests: 2);
        var client = services.GetRequiredService<IPublicDataClient>();
        var ids = RegistryIds.Where(id => id != registry[1][0]).Concat(Enumerable.Range(1, 320).Select(UnknownId)).ToList();
        await simulator.SetFaultsAsync(new { latencyMs = 100 }, ct);

        var result = await client.QueryViolationsAsync(ids, ct);

        var stats = await simulator.StatsAsync(ct);
        Assert.AreEqual(7, stats.Requests, "619 ids in chunks of 100");
        Assert.AreEqual(2, stats.MaxInFlight, "requests ran side by side, never more than the cap");
        Assert.IsGreaterThanOrEqualTo(320, result.NotFound.Count);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryDisclosures_CompletedThenWithdrawn_FollowsThePlatform()
    {
        var ct = TestContext.CancellationToken;
        var id = await FirstOnPlatformAsync(ct, skip: 2);
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        await simulator.PutDisclosuresAsync(id, new { year = 2026, prtr = "completed", carbon = "completed" }, ct);
        var completed = (await client.QueryDisclosuresAsync([id], 2026, ct)).Items.Single();
        await simulator.PutDisclosuresAsync(id, new { year = 2026, prtr = "in_progress" }, ct);
        var withdrawn = (await client.QueryDisclosuresAsync([id], 2026, ct)).Items.Single();

        Assert.AreEqual(DisclosureState.Completed, completed.Prtr.State);
        Assert.IsNotNull(completed.Prtr.CompletedAt);
        Assert.AreEqual(new DisclosureStatus(DisclosureState.InProgress, null), withdrawn.Prtr);
        Assert.AreEqual(completed.Carbon, withdrawn.Carbon);
        var view = await simulator.EnterpriseAsync(id, ct, 2026);
        Assert.AreEqual(DateTimeOffset.Parse(view["carbon"]!["completedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture), withdrawn.Carbon.CompletedAt);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_RemovedThenRestored_RecordIsActiveAgain()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();
        var ids = RegistryIds.Skip(10).Take(60).ToList();
        var record = (await client.QueryViolationsAsync(ids, ct)).Records.First(r => !r.Removed);

        await simulator.PostControlAsync($"sim/records/{record.RecordId}/remove", null, ct);
        var removed = (await client.QueryViolationsAsync([record.EnterpriseId], ct)).Records.Single(r => r.RecordId == record.RecordId);
        await simulator.PostControlAsync($"sim/records/{record.RecordId}/restore", null, ct);
        var restored = (await client.QueryViolationsAsync([record.EnterpriseId], ct)).Records.Single(r => r.RecordId == record.RecordId);

        Assert.IsTrue(removed.Removed);
        Assert.IsNotNull(removed.RemovedAt);
        Assert.AreEqual(record, restored, "a revoked removal is the original active record again");
        Assert.IsFalse(restored.Removed);
        Assert.IsNull(restored.RemovedAt);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetChanges_AfterMutations_ReportsTheEnterprisesThenExpiresWith410()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();
        var start = await client.GetChangesAsync(null, 1000, ct);
        var violated = await FirstOnPlatformAsync(ct, skip: 5);
        var disclosed = await FirstOnPlatformAsync(ct, skip: 6);

        var published = await simulator.PostControlAsync("sim/records", new { enterpriseId = violated, category = "water", summary = "超标排放废水" }, ct);
        await simulator.PutDisclosuresAsync(disclosed, new { prtr = "completed" }, ct);
        await simulator.PutDisclosuresAsync(disclosed, new { prtr = "in_progress" }, ct);
        var changes = new List<EnterpriseChange>();
        var cursor = start.NextCursor;
        var pages = 0;
        ChangePage page;
        do
        {
            page = await client.GetChangesAsync(cursor, 1, ct);
            changes.AddRange(page.Changes);
            cursor = page.NextCursor;
            pages++;
        }
        while (page.HasMore);

        Assert.IsEmpty(start.Changes);
        Assert.IsGreaterThanOrEqualTo(2, pages);
        Assert.Contains(c => c.EnterpriseId == violated && c.Kind == ChangeKind.Violation, changes);
        Assert.Contains(c => c.EnterpriseId == disclosed && c.Kind == ChangeKind.Disclosure, changes);
        Assert.IsEmpty((await client.GetChangesAsync(cursor, 1000, ct)).Changes, "nothing new after the last cursor");
        var record = (await client.QueryViolationsAsync([violated], ct)).Records.Single(r => r.RecordId == published["recordId"]!.GetValue<string>());
        Assert.AreEqual("超标排放废水", record.Summary);

        await simulator.ResetAsync(ct);
        await simulator.PostControlAsync("sim/changes/expire", null, ct);
        await Assert.ThrowsExactlyAsync<ChangeCursorExpiredException>(() => client.GetChangesAsync(cursor, 1000, ct));
        Assert.AreEqual(1, (await simulator.StatsAsync(ct)).Requests, "410 is not retried");
        var restart = await client.GetChangesAsync(null, 1000, ct);
        Assert.IsEmpty((await client.GetChangesAsync(restart.NextCursor, 1000, ct)).Changes);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task QueryViolations_ChineseText_ArrivesByteExact()
    {
        var ct = TestContext.CancellationToken;
        var id = registry[1][0];
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        var record = (await client.QueryViolationsAsync([id], ct)).Records[0];
        var view = await simulator.EnterpriseAsync(id, ct);
        var expected = view["records"]!.AsArray().Single(r => r!["recordId"]!.GetValue<string>() == record.RecordId)!;
        using var raw = await simulator.PostApiAsync("v1/violations:query", SimulatorProcess.Json(new { enterpriseIds = new[] { id } }), ct);
        var rawBytes = await raw.Content.ReadAsByteArrayAsync(ct);

        Assert.AreEqual(registry[1][1], record.EnterpriseName);
        Assert.IsTrue(record.EnterpriseName.Any(c => c >= '\u4e00' && c <= '\u9fff'), "the name is Chinese");
        foreach (var (actual, field) in new[]
        {
            (record.EnterpriseName, "enterpriseName"), (record.Authority, "authority"), (record.DocumentNumber!, "documentNumber"), (record.Summary, "summary"),
        })
        {
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes(expected[field]!.GetValue<string>()), Encoding.UTF8.GetBytes(actual), field);
        }

        Assert.IsGreaterThanOrEqualTo(0, rawBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(record.EnterpriseName)), "sent as UTF-8, not \\u escapes");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetChanges_LimitOutsideTheContract_IsRejectedBeforeSending()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => client.GetChangesAsync(null, 0, ct));
        await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() => client.GetChangesAsync(null, 1001, ct));
        Assert.AreEqual(0, (await simulator.StatsAsync(ct)).Requests);
    }

    private static Task WaitForStatsAsync(Func<SimulatorStats, bool> condition, CancellationToken cancellationToken) =>
        Eventually.UntilAsync(async ct => condition(await simulator.StatsAsync(ct)), "the simulator's request counters", cancellationToken);

    private static async Task<string> FirstOnPlatformAsync(CancellationToken cancellationToken, int skip = 0)
    {
        foreach (var row in registry.Skip(2 + skip))
        {
            if ((await simulator.EnterpriseAsync(row[0], cancellationToken))["onPlatform"]!.GetValue<bool>())
            {
                return row[0];
            }
        }

        throw new InvalidOperationException("no enterprise on the platform");
    }

    /// <summary>A well-formed code in a region the simulator never generates (Beijing, 110000).</summary>
    private static string UnknownId(int n)
    {
        var first17 = "91110000" + n.ToString("D9", CultureInfo.InvariantCulture);
        return first17 + Uscc.CheckCharacter(first17);
    }
}
