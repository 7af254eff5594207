using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Progress;

/// <summary>The rollup service over real tables in Azurite, with a hand-built registry and cases.</summary>
[TestClass]
public sealed class ProgressRollupServiceTests
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Run_HandBuiltDataset_StoresEveryFigureAndEntityRow()
    {
        var ct = TestContext.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero)); // 23:00 in Beijing
        await using var world = await RollupWorld.CreateAsync(clock, plans: null, ct);
        await world.SeedAsync(ct);

        var result = await world.Service.RunAsync(ct);

        var report = result.Report;
        Assert.AreEqual(2024, report.Year);
        Assert.AreEqual(new DateTimeOffset(2024, 6, 30, 23, 0, 0, Beijing), report.AsOf);
        Assert.AreEqual(Beijing, report.AsOf.Offset);
        Assert.AreEqual("Asia/Shanghai", report.TimeZone);
        Assert.AreEqual(new DisclosureProgress(200, 2, 1, 1), report.Prtr, "S1 and P1; S2 withdrew, P2 is not on the platform, P3 was synced for 2023");
        Assert.AreEqual(new DisclosureProgress(180, 2, 2, 0), report.Carbon, "S1 and S2");
        Assert.AreEqual(new ViolationProgress(Open: 1, Overdue: 2, PlanSubmitted: 0, PlanApproved: 0, Removed: 4, SubsidiariesWithActiveRecords: 1, SuppliersCompletedRemoval: 1), report.Violations);
        Assert.IsTrue(report.Projection.Prtr.InsufficientData, "one rollup is too little for a pace");

        Assert.AreEqual(report, await world.Progress.GetLatestAsync(2024, ct));
        CollectionAssert.AreEqual(new[] { report.ToSnapshot() }, (await world.Progress.ListSnapshotsAsync(2024, ct)).ToArray());
        Assert.AreEqual(new EntityStatusChanges(6, 0, 0), result.EntityRows);
        var synced = RollupWorld.SyncedAt;
        CollectionAssert.AreEqual(
            new[]
            {
                new EntityProgressRow(world.S1, "集团子公司一", "subsidiary", 1, "completed", "completed", 1, 1, synced),
                new EntityProgressRow(world.S2, "集团子公司二", "subsidiary", 1, "in_progress", "completed", 0, 0, synced),
                new EntityProgressRow(world.P1, "一级供应商", "supplier", 1, "completed", "none", 0, 0, synced),
                new EntityProgressRow(world.P2, "平台未收录供应商", "supplier", 2, "none", "none", 0, 0, synced),
                new EntityProgressRow(world.P3, "去年同步的供应商", "supplier", 2, "none", "none", 1, 0, synced),
                new EntityProgressRow(world.P4, "从未同步的供应商", "supplier", 1, "none", "none", 1, 1, null),
            }.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray(),
            (await world.Progress.ListEntityStatusAsync(2024, ct)).ToArray());
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Run_NextDayAfterOneMoreCompletion_ProjectsFromHistoryAndRewritesOneEntityRow()
    {
        var ct = TestContext.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero));
        await using var world = await RollupWorld.CreateAsync(clock, plans: null, ct);
        await world.SeedAsync(ct);
        await world.Service.RunAsync(ct);

        clock.Advance(TimeSpan.FromDays(1));
        var p4 = (await world.Entities.GetAsync(world.P4, ct))!;
        await world.Entities.SaveSyncFieldsAsync(
            [p4 with { DisclosureYear = 2024, Prtr = new DisclosureStatus(DisclosureState.Completed, clock.GetUtcNow()), LastSyncedAt = clock.GetUtcNow() }], ct);
        var second = await world.Service.RunAsync(ct);

        Assert.AreEqual(3, second.Report.Prtr.Completed);
        Assert.AreEqual(new EntityStatusChanges(1, 0, 5), second.EntityRows);
        Assert.AreEqual(1.0, second.Report.Projection.Prtr.RatePerDay, "one completion in one day");
        Assert.AreEqual(new DateOnly(2024, 7, 1).AddDays(197), second.Report.Projection.Prtr.ProjectedOn, "197 to go at one a day");
        Assert.HasCount(2, await world.Progress.ListSnapshotsAsync(2024, ct));
        Assert.AreEqual(second.Report, await world.Progress.GetLatestAsync(2024, ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Run_PlanStoreRegistered_CountsPendingAndApprovedPlans()
    {
        var ct = TestContext.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero));
        var plans = new InMemoryPlans();
        await using var world = await RollupWorld.CreateAsync(clock, plans, ct);
        await world.SeedAsync(ct);
        plans.Items.Add(Plan(world.S1, "R-A", PlanDecision.Pending));   // overdue -> plan_submitted
        plans.Items.Add(Plan(world.P4, "R-G", PlanDecision.Rejected));  // still overdue
        plans.Items.Add(Plan(world.P4, "R-G", PlanDecision.Approved));  // -> plan_approved
        plans.Items.Add(Plan(world.P1, "R-D", PlanDecision.Pending));   // removed stays removed

        var report = (await world.Service.RunAsync(ct)).Report;

        Assert.AreEqual(new ViolationProgress(1, 0, 1, 1, 4, 1, 1), report.Violations);
        var rows = await world.Progress.ListEntityStatusAsync(2024, ct);
        Assert.AreEqual(0, rows.Single(r => r.Id == world.S1).OverdueCases);
    }

    private static ImprovementPlan Plan(string supplierId, string recordId, PlanDecision decision) =>
        new(supplierId, recordId, "p" + Guid.NewGuid().ToString("N"), new PlanContent("s", "r", [new PlanAction("a", null, null)], new DateOnly(2024, 9, 1), PlanContact.None))
        {
            Decision = decision,
        };

    /// <summary>Storage with a fresh prefix, the service built by DI as the function app does, and the dataset.</summary>
    internal sealed class RollupWorld : IAsyncDisposable
    {
        public static readonly DateTimeOffset SyncedAt = new(2024, 6, 30, 2, 0, 0, TimeSpan.Zero);

        private readonly IServiceProvider provider;
        private readonly ServiceProvider? owned;

        private RollupWorld(IServiceProvider provider, ServiceProvider? owned)
        {
            this.provider = provider;
            this.owned = owned;
        }

        public string S1 { get; } = TestIds.Uscc(101);

        public string S2 { get; } = TestIds.Uscc(102);

        public string P1 { get; } = TestIds.Uscc(103);

        public string P2 { get; } = TestIds.Uscc(104);

        public string P3 { get; } = TestIds.Uscc(105);

        public string P4 { get; } = TestIds.Uscc(106);

        public string Stranger { get; } = TestIds.Uscc(107);

        public ProgressRollupService Service => provider.GetRequiredService<ProgressRollupService>();

        public IProgressStore Progress => provider.GetRequiredService<IProgressStore>();

        public IEntityStore Entities => provider.GetRequiredService<IEntityStore>();

        public ICaseStore Cases => provider.GetRequiredService<ICaseStore>();

        public static async Task<RollupWorld> CreateAsync(TimeProvider clock, IPlanStore? plans, CancellationToken cancellationToken)
        {
            var azurite = await Azurite.GetAsync(cancellationToken);
            var services = new ServiceCollection()
                .AddPipelineStorage(azurite.ConnectionString, StorageNames.Unique())
                .AddSingleton(clock)
                .AddSingleton<ProgressRollupService>();
            services.AddOptions<TargetsOptions>();
            services.AddOptions<PipelineOptions>();
            if (plans is not null)
            {
                services.AddSingleton(plans);
            }

            var built = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
            return new RollupWorld(built, built);
        }

        /// <summary>The dataset over another app's services (not disposed with this).</summary>
        public static RollupWorld Over(IServiceProvider services) => new(services, null);

        /// <summary>
        /// S1, S2 subsidiaries; P1..P4 suppliers (P2 not on the platform, P3 last synced for 2023, P4 never
        /// synced); cases: S1 one overdue and one removed, S2 one removed, P1 one removed at 00:30 on
        /// 1 January 2024 in Beijing (2023 in UTC), P3 one removed at 23:00 on 31 December 2023 in Beijing and
        /// one open, P4 one overdue, and an overdue case of an entity not in the registry.
        /// </summary>
        public async Task SeedAsync(CancellationToken cancellationToken)
        {
            RegisteredEntity[] registry =
            [
                Synced(new RegisteredEntity(S1, "集团子公司一", EntityKind.Subsidiary, 1, null, null), 2024, DisclosureState.Completed, DisclosureState.Completed),
                Synced(new RegisteredEntity(S2, "集团子公司二", EntityKind.Subsidiary, 1, null, null), 2024, DisclosureState.InProgress, DisclosureState.Completed),
                Synced(new RegisteredEntity(P1, "一级供应商", EntityKind.Supplier, 1, null, null), 2024, DisclosureState.Completed, DisclosureState.None),
                Synced(new RegisteredEntity(P2, "平台未收录供应商", EntityKind.Supplier, 2, null, null), 2024, DisclosureState.None, DisclosureState.None) with { NotOnPlatform = true },
                Synced(new RegisteredEntity(P3, "去年同步的供应商", EntityKind.Supplier, 2, null, null), 2023, DisclosureState.Completed, DisclosureState.Completed),
                new RegisteredEntity(P4, "从未同步的供应商", EntityKind.Supplier, 1, null, null),
            ];
            await Entities.SaveRegistryFieldsAsync(registry, cancellationToken);
            await Entities.SaveSyncFieldsAsync([.. registry.Where(e => e.LastSyncedAt is not null)], cancellationToken);

            await Cases.ApplySyncAsync(
                [
                    Case(S1, "R-A", due: new DateOnly(2024, 6, 1)),
                    Case(S1, "R-B", removedAt: new DateTimeOffset(2024, 5, 1, 0, 0, 0, Beijing)),
                    Case(S2, "R-C", removedAt: new DateTimeOffset(2024, 2, 1, 0, 0, 0, Beijing)),
                    Case(P1, "R-D", removedAt: new DateTimeOffset(2024, 1, 1, 0, 30, 0, Beijing)),
                    Case(P3, "R-E", removedAt: new DateTimeOffset(2023, 12, 31, 23, 0, 0, Beijing)),
                    Case(P3, "R-F", due: new DateOnly(2024, 7, 5)),
                    Case(P4, "R-G", due: new DateOnly(2024, 6, 20)),
                    Case(Stranger, "R-X", due: new DateOnly(2024, 6, 1)),
                ],
                [],
                cancellationToken);
        }

        public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;

        private static RegisteredEntity Synced(RegisteredEntity e, int year, DisclosureState prtr, DisclosureState carbon) =>
            e with
            {
                DisclosureYear = year,
                Prtr = new DisclosureStatus(prtr, prtr == DisclosureState.Completed ? SyncedAt.AddDays(-10) : null),
                Carbon = new DisclosureStatus(carbon, carbon == DisclosureState.Completed ? SyncedAt.AddDays(-5) : null),
                LastSyncedAt = SyncedAt,
            };

        private static ViolationCase Case(string supplierId, string recordId, DateOnly? due = null, DateTimeOffset? removedAt = null) =>
            new(supplierId, recordId)
            {
                Authority = "深圳市生态环境局",
                Category = "water",
                Summary = "超标排放",
                PublishedAt = new DateTimeOffset(2023, 12, 1, 0, 0, 0, Beijing),
                PlanDueOn = due ?? new DateOnly(2023, 12, 11),
                RecordRemoved = removedAt is not null,
                RemovedAt = removedAt,
                OpenedAt = new DateTimeOffset(2023, 12, 1, 1, 0, 0, Beijing),
            };
    }

    /// <summary>Plans held in memory: the plan store's adapter is built elsewhere (issue 4); this checks the service uses one when registered.</summary>
    private sealed class InMemoryPlans : IPlanStore
    {
        public List<ImprovementPlan> Items { get; } = [];

        public Task<IReadOnlyList<ImprovementPlan>> ListAllAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ImprovementPlan>>([.. Items]);

        public Task<ImprovementPlan?> GetAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ImprovementPlan>> ListForCaseAsync(string supplierId, string recordId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ImprovementPlan>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryAddAsync(ImprovementPlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryReplaceAsync(ImprovementPlan plan, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
