using System.Collections.Concurrent;
using DisclosurePipeline.Domain;
using DisclosurePipeline.PublicData;

namespace DisclosurePipeline.Tests.Registry;

/// <summary>
/// A platform that knows every enterprise it is asked about: each has one active violation record published at
/// <see cref="Published"/> and completed PRTR and carbon disclosures. Its change feed names what <see cref="Change"/>
/// was told. It counts which ids were fetched, so a test can tell what a sync covered.
/// </summary>
internal sealed class FakePlatform(DateTimeOffset published) : IPublicDataClient
{
    private readonly ConcurrentQueue<string> changes = new();
    private int cursor;

    public DateTimeOffset Published { get; } = published;

    public ConcurrentBag<string> Fetched { get; } = [];

    public static string RecordOf(string enterpriseId) => "R-" + enterpriseId;

    public void Change(string enterpriseId) => changes.Enqueue(enterpriseId);

    public Task<ViolationQueryResult> QueryViolationsAsync(IReadOnlyCollection<string> enterpriseIds, CancellationToken cancellationToken)
    {
        foreach (var id in enterpriseIds)
        {
            Fetched.Add(id);
        }

        var records = enterpriseIds.Select(id => new ViolationRecord(
            RecordOf(id), id, "某企业", "深圳市生态环境局", null, "water", "超标排放", null, null, Published, false, null)).ToList();
        return Task.FromResult(new ViolationQueryResult(records, [], []));
    }

    public Task<DisclosureQueryResult> QueryDisclosuresAsync(IReadOnlyCollection<string> enterpriseIds, int year, CancellationToken cancellationToken)
    {
        var done = new DisclosureStatus(DisclosureState.Completed, Published);
        return Task.FromResult(new DisclosureQueryResult(year, [.. enterpriseIds.Select(id => new EntityDisclosures(id, done, done))], [], []));
    }

    public Task<ChangePage> GetChangesAsync(string? cursor, int limit, CancellationToken cancellationToken)
    {
        var named = new List<EnterpriseChange>();
        if (cursor is not null)
        {
            while (named.Count < limit && changes.TryDequeue(out var id))
            {
                named.Add(new EnterpriseChange(id, ChangeKind.Violation, Published));
            }
        }

        return Task.FromResult(new ChangePage(named, "c" + Interlocked.Increment(ref this.cursor), false));
    }
}
