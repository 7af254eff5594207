using DisclosurePipeline.Auth;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Storage;

namespace DisclosurePipeline.Tests.Registry;

/// <summary>
/// The registry's lifecycle against Azurite: an import queues the sync of what it created, an hourly tick picks up
/// entities never synced, deactivation takes an entity out of sync, alerts, progress and sign-in (keeping its cases)
/// and reactivation brings all of it back, and supplier keys are listed, revoked and record their use.
/// </summary>
[TestClass]
public sealed class RegistryLifecycleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Import_CreatesEntities_QueuesARunOfExactlyThoseIds()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var first = TestIds.Many(5);
        await f.ImportAsync(RegistryFixture.Csv(first), ct);
        await f.DrainAsync(ct);

        var added = TestIds.Many(8).Skip(5).ToList();
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = await f.ImportAsync(RegistryFixture.Csv(first.Concat(added)), ct);

        Assert.AreEqual(3, outcome.Result.Created);
        Assert.AreEqual(5, outcome.Result.Unchanged);
        Assert.IsNotNull(outcome.Run);
        Assert.AreEqual(SyncRunReason.Import, outcome.Run.Reason);
        Assert.AreEqual(3, outcome.Run.EntitiesTotal);
        StringAssert.Contains(outcome.Run.Scope, "3 created");
        CollectionAssert.AreEquivalent(added, (await f.TakeBatchesAsync(ct)).SelectMany(b => b.Ids).ToList(), "only the new ids are queued");
        var stored = await f.Runs.GetLatestAsync(ct);
        Assert.AreEqual(SyncRunReason.Import, stored!.Reason, "the reason is stored with the run");
        Assert.AreEqual(outcome.Run.Scope, stored.Scope);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Import_AgainBeforeTheSync_QueuesTheNeverSyncedAgainAndAfterItNothing()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var ids = TestIds.Many(4);
        await f.ImportAsync(RegistryFixture.Csv(ids), ct);
        await f.TakeBatchesAsync(ct);

        var again = await f.ImportAsync(RegistryFixture.Csv(ids), ct);
        Assert.AreEqual(4, again.Result.Unchanged);
        Assert.AreEqual(4, again.Run?.EntitiesTotal, "entities whose queued sync was lost are queued again");
        await f.DrainAsync(ct);

        var synced = await f.ImportAsync(RegistryFixture.Csv(ids), ct);
        Assert.IsNull(synced.Run, "once synced, importing the same file queues nothing");
        Assert.IsEmpty(synced.Result.SyncNeeded);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task ScheduledTick_EntitiesTheFullSyncMissed_AreSyncedAsNeverSynced()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var early = TestIds.Many(3);
        await f.Import.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(RegistryFixture.Csv(early))), ct);
        var full = await f.Scheduled.RunAsync(forceFull: false, ct);
        Assert.AreEqual(SyncRunReason.Full, full!.Reason);
        StringAssert.Contains(full.Scope, "first sync");
        await f.DrainAsync(ct);

        // Imported behind the sync's back (as if while the full run was listing the registry, or its run was lost).
        var missed = TestIds.Many(5).Skip(3).ToList();
        await f.Import.ImportAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(RegistryFixture.Csv(missed))), ct);
        var changed = early[0];
        f.Platform.Change(changed);
        f.Clock.Advance(TimeSpan.FromHours(1));

        var tick = await f.Scheduled.RunAsync(forceFull: false, ct);

        Assert.IsNotNull(tick, "a tick between full syncs still syncs what was never synced");
        Assert.AreEqual(SyncRunReason.Changes, tick.Reason);
        Assert.AreEqual("1 active entities named by the change feed, 2 never synced", tick.Scope);
        CollectionAssert.AreEquivalent(missed.Append(changed).ToList(), await f.DrainAsync(ct));
        foreach (var id in missed)
        {
            Assert.IsNotNull((await f.Entities.GetAsync(id, ct))!.LastSyncedAt, id);
            Assert.IsNotNull(await f.Cases.GetAsync(id, FakePlatform.RecordOf(id), ct), id + " has its case");
        }

        f.Clock.Advance(TimeSpan.FromHours(1));
        Assert.IsNull(await f.Scheduled.RunAsync(forceFull: false, ct), "nothing changed and everything synced: no run");
    }

    [TestMethod]
    [Timeout(90_000, CooperativeCancellation = true)]
    public async Task Deactivate_Entity_LeavesSyncAlertsProgressAndSignInThenReactivateRestoresThem()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var ids = TestIds.Many(3);
        var gone = ids[1];
        await f.ImportAsync(RegistryFixture.Csv(ids), ct);
        await f.DrainAsync(ct);
        f.Clock.Advance(TimeSpan.FromDays(16));
        var key = (await f.Registry.IssueKeyAsync(gone, Actors.Staff, ct)).Key!.Key;
        Assert.AreEqual(gone, await f.Keys.ResolveAsync(key, ct));

        var off = await f.Registry.DeactivateAsync(gone, Actors.Staff, ct);

        Assert.IsTrue(off.Changed);
        Assert.IsFalse(off.Entity!.Active);
        Assert.IsFalse((await f.Registry.DeactivateAsync(gone, Actors.Staff, ct)).Changed, "deactivating twice changes nothing");
        Assert.IsNull(await f.Keys.ResolveAsync(key, ct), "its key stops working");
        Assert.AreEqual(KeyIssueStatus.Inactive, (await f.Registry.IssueKeyAsync(gone, Actors.Staff, ct)).Status);
        var full = await f.Scheduler.StartFullRunAsync("test", ct);
        Assert.AreEqual(2, full.EntitiesTotal);
        StringAssert.Contains(full.Scope, "1 inactive left out");
        CollectionAssert.DoesNotContain(await f.DrainAsync(ct), gone);
        var sweep = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual(2, sweep.Raised, "overdue cases of active entities only raise alerts");
        var report = (await f.Rollup.RunAsync(ct)).Report;
        Assert.AreEqual(2, report.Prtr.Completed, "an inactive entity counts in no figure");
        Assert.AreEqual(2, report.Violations.Overdue);
        Assert.HasCount(1, await f.Cases.ListAsync(null, gone, ct), "its case is kept and visible to staff");
        Assert.AreEqual(EntityStatus.Inactive, (await f.Registry.GetAsync(gone, ct))!.Status);

        var on = await f.Registry.ReactivateAsync(gone, Actors.Staff, ct);

        Assert.IsTrue(on.Changed);
        Assert.AreEqual(SyncRunReason.Reactivation, on.Run!.Reason);
        CollectionAssert.AreEqual(new[] { gone }, await f.DrainAsync(ct));
        Assert.AreEqual(gone, await f.Keys.ResolveAsync(key, ct), "the same key works again");
        Assert.AreEqual(1, (await f.Sweep.SweepAsync(ct)).Raised, "its overdue case raises its alert now");
        Assert.AreEqual(3, (await f.Rollup.RunAsync(ct)).Report.Prtr.Completed);
        var events = (await f.History.ListForEntityAsync(gone, ct)).Select(e => e.Event).ToList();
        CollectionAssert.IsSubsetOf(new[] { HistoryEvents.KeyIssued, HistoryEvents.EntityDeactivated, HistoryEvents.EntityReactivated }, events);
        Assert.AreEqual(1, events.Count(e => e == HistoryEvents.EntityDeactivated), "the repeated deactivation is not recorded");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Keys_ListedRevokedAndTheirUseRecordedAtMostHourly()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var id = TestIds.Uscc(7);
        var other = TestIds.Uscc(8);
        await f.ImportAsync(RegistryFixture.Csv([id, other]), ct);
        var one = (await f.Registry.IssueKeyAsync(id, Actors.Staff, ct)).Key!;
        f.Clock.Advance(TimeSpan.FromMinutes(1));
        var two = (await f.Registry.IssueKeyAsync(id, Actors.Staff, ct)).Key!;

        Assert.AreEqual(id, await f.Keys.ResolveAsync(one.Key, ct));
        var used = (await f.KeyStore.FindAsync(one.Stored.KeyId, ct))!.LastUsedAt;
        Assert.AreEqual(f.Clock.GetUtcNow(), used);
        f.Clock.Advance(TimeSpan.FromMinutes(30));
        var etag = (await f.KeyStore.FindAsync(one.Stored.KeyId, ct))!.ETag;
        Assert.AreEqual(id, await f.Keys.ResolveAsync(one.Key, ct));
        Assert.AreEqual(etag, (await f.KeyStore.FindAsync(one.Stored.KeyId, ct))!.ETag, "a use within the hour writes nothing");
        f.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.AreEqual(id, await f.Keys.ResolveAsync(one.Key, ct));
        Assert.AreEqual(f.Clock.GetUtcNow(), (await f.KeyStore.FindAsync(one.Stored.KeyId, ct))!.LastUsedAt, "an hour later the use is recorded again");

        var listed = (await f.Registry.ListKeysAsync(id, ct))!;
        CollectionAssert.AreEqual(new[] { one.Stored.KeyId, two.Stored.KeyId }, listed.Select(k => k.KeyId).ToArray(), "oldest first");
        Assert.IsNull(listed[1].LastUsedAt);
        Assert.IsNull(await f.Registry.ListKeysAsync(TestIds.Uscc(999), ct), "an unknown entity has no key list");

        Assert.AreEqual(KeyRevocation.NotFound, await f.Registry.RevokeKeyAsync(other, one.Stored.KeyId, Actors.Staff, ct), "another entity's key is not found");
        Assert.AreEqual(KeyRevocation.Revoked, await f.Registry.RevokeKeyAsync(id, one.Stored.KeyId, Actors.Staff, ct));
        Assert.AreEqual(KeyRevocation.AlreadyRevoked, await f.Registry.RevokeKeyAsync(id, one.Stored.KeyId, Actors.Staff, ct));
        Assert.IsNull(await f.Keys.ResolveAsync(one.Key, ct), "a revoked key stops working at once");
        Assert.AreEqual(id, await f.Keys.ResolveAsync(two.Key, ct), "the entity's other key still works");
        Assert.AreEqual(f.Clock.GetUtcNow(), (await f.Registry.ListKeysAsync(id, ct))![0].RevokedAt);
        var revoked = (await f.History.ListForEntityAsync(id, ct)).Where(e => e.Event == HistoryEvents.KeyRevoked).ToList();
        Assert.HasCount(1, revoked);
        Assert.AreEqual(one.Stored.KeyId, revoked[0].Detail);
        Assert.AreEqual(2, (await f.History.ListForEntityAsync(id, ct)).Count(e => e.Event == HistoryEvents.KeyIssued));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task RecordUse_AfterARevocation_DoesNotUndoIt()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var id = TestIds.Uscc(3);
        await f.ImportAsync(RegistryFixture.Csv([id]), ct);
        var issued = (await f.Registry.IssueKeyAsync(id, Actors.Staff, ct)).Key!;
        var read = (await f.KeyStore.FindAsync(issued.Stored.KeyId, ct))!;

        await f.KeyStore.RevokeAsync(read.KeyId, f.Clock.GetUtcNow(), ct);

        Assert.IsFalse(await f.KeyStore.RecordUseAsync(read, f.Clock.GetUtcNow(), ct), "a use read before the revocation is not written");
        Assert.IsNotNull((await f.KeyStore.FindAsync(read.KeyId, ct))!.RevokedAt);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task ListPage_FilteredAndPaged_EveryMatchOnceInStoredOrder()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await RegistryFixture.CreateAsync(ct);
        var suppliers = TestIds.Many(23);
        var subsidiaries = TestIds.Many(9, "9135010000");
        await f.ImportAsync(RegistryFixture.Csv(suppliers, tier: 2), ct);
        await f.ImportAsync(RegistryFixture.Csv(subsidiaries, "subsidiary"), ct);
        await f.Registry.DeactivateAsync(suppliers[4], Actors.Staff, ct);

        async Task<List<EntityView>> AllAsync(Dictionary<string, string> parameters)
        {
            var seen = new List<EntityView>();
            string? token = null;
            do
            {
                var query = RegistryQuery.Parse(n => n == "continuationToken" ? token : parameters.GetValueOrDefault(n));
                Assert.IsTrue(query.IsValid, string.Join("; ", query.Errors.Keys));
                var page = await f.Registry.ListPageAsync(query.Value!, ct);
                Assert.IsLessThanOrEqualTo(query.Value!.Limit, page.Items.Count);
                seen.AddRange(page.Items);
                token = page.ContinuationToken;
            }
            while (token is not null);
            return seen;
        }

        var all = await AllAsync(new() { ["limit"] = "5" });
        CollectionAssert.AreEquivalent(suppliers.Concat(subsidiaries).ToList(), all.Select(e => e.Id).ToList(), "every entity once");
        var order = all.Select(e => (Uscc.Shard(e.Id), e.Id)).ToList();
        CollectionAssert.AreEqual(order.OrderBy(o => o.Item1, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal).ToList(), order, "stored order");

        var inactive = await AllAsync(new() { ["status"] = "inactive" });
        Assert.AreEqual(suppliers[4], inactive.Single().Id);
        Assert.AreEqual(EntityStatus.Inactive, inactive[0].Status);
        CollectionAssert.AreEquivalent(subsidiaries, (await AllAsync(new() { ["kind"] = "subsidiary", ["limit"] = "2" })).Select(e => e.Id).ToList());
        Assert.HasCount(22, await AllAsync(new() { ["tier"] = "2", ["status"] = "active", ["limit"] = "7" }));
        var byName = await AllAsync(new() { ["q"] = "企业 " + suppliers[10][^5..] });
        Assert.AreEqual(suppliers[10], byName.Single().Id);
        var byId = await AllAsync(new() { ["q"] = subsidiaries[3].ToLowerInvariant() });
        Assert.AreEqual(subsidiaries[3], byId.Single().Id, "the search ignores case");
    }

    [TestMethod]
    public void Parse_BadParameters_AreReportedByName()
    {
        var good = RegistryQuery.Parse(_ => null).Value!;
        var token = good.TokenAfter(TestIds.Entity(TestIds.Uscc(1)));
        var cases = new (Dictionary<string, string> Query, string Field)[]
        {
            (new() { ["kind"] = "vendor" }, "kind"),
            (new() { ["tier"] = "3" }, "tier"),
            (new() { ["status"] = "gone" }, "status"),
            (new() { ["limit"] = "0" }, "limit"),
            (new() { ["limit"] = "501" }, "limit"),
            (new() { ["limit"] = "ten" }, "limit"),
            (new() { ["q"] = new string('x', 201) }, "q"),
            (new() { ["continuationToken"] = "not-a-token" }, "continuationToken"),
            (new() { ["continuationToken"] = token, ["kind"] = "supplier" }, "continuationToken"),
        };
        foreach (var (query, field) in cases)
        {
            var parsed = RegistryQuery.Parse(n => query.GetValueOrDefault(n));
            Assert.IsFalse(parsed.IsValid, field);
            Assert.IsTrue(parsed.Errors.ContainsKey(field), $"{string.Join("&", query.Select(p => p.Key + "=" + p.Value))}: errors.{field}");
        }

        var resumed = RegistryQuery.Parse(n => n == "continuationToken" ? token : null);
        Assert.AreEqual(TestIds.Uscc(1), resumed.Value!.After!.Id, "a token resumes with the filters it was made for");
        Assert.AreEqual(RegistryQuery.DefaultLimit, good.Limit);
    }
}
