using System.Net;
using DisclosurePipeline.Domain;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ICaseStore"/> over the <c>Cases</c> table: partition = the entity's shard, row key =
/// <c>{supplierId}|{recordId}</c>. A USCC never contains <c>|</c>, and all of one entity's row keys lie in
/// [<c>{id}|</c>, <c>{id}}</c>) (<c>}</c> is the character after <c>|</c>), which makes range queries exact.
/// An empty document number is stored as none (the empty string marks "none" in merged columns).
/// </summary>
internal sealed class TableCaseStore(StorageAccount account) : ICaseStore
{
    private const char Separator = '|';
    private const char AfterSeparator = '}';

    private const string SupplierId = nameof(SupplierId);
    private const string RecordId = nameof(RecordId);
    private const string Authority = nameof(Authority);
    private const string DocumentNumber = nameof(DocumentNumber);
    private const string Category = nameof(Category);
    private const string Summary = nameof(Summary);
    private const string PenaltyAmountCny = nameof(PenaltyAmountCny);
    private const string IssuedOn = nameof(IssuedOn);
    private const string PublishedAt = nameof(PublishedAt);
    private const string RecordRemoved = nameof(RecordRemoved);
    private const string RemovedAt = nameof(RemovedAt);
    private const string PlanDueOn = nameof(PlanDueOn);
    private const string OpenedAt = nameof(OpenedAt);
    private const string LastPlanId = nameof(LastPlanId);
    private const string LastPlanAt = nameof(LastPlanAt);

    public async Task<ViolationCase?> GetAsync(string supplierId, string recordId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(Uscc.Shard(supplierId), RowKey(supplierId, recordId), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public Task<IReadOnlyList<ViolationCase>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        return ListRangeAsync(Uscc.Shard(supplierId), supplierId, supplierId, cancellationToken);
    }

    public async Task<IReadOnlyList<ViolationCase>> ListRangeAsync(string shard, string firstId, string lastId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shard);
        ArgumentNullException.ThrowIfNull(firstId);
        ArgumentNullException.ThrowIfNull(lastId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var query = TableRows.RangeQuery(shard, firstId + Separator, lastId + AfterSeparator, lastInclusive: false);
        var rows = await table.QueryAllAsync(query, cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task<IReadOnlyList<ViolationCase>> ListAllAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(new TableQuery(), cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task ApplySyncAsync(IReadOnlyCollection<ViolationCase> opened, IReadOnlyCollection<ViolationCase> updated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(opened);
        ArgumentNullException.ThrowIfNull(updated);
        if (opened.Count == 0 && updated.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);

        // Inserts first: a redelivered batch finds its cases already there (409) and leaves them as they are.
        // Then merges of the record columns only; the plan deadline and opening time are not touched.
        await table.WriteBatchesAsync(opened.Select(FullRow), TableOperation.Insert, HttpStatusCode.Conflict, cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(updated.Select(RecordRow), TableOperation.Merge, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryReplaceAsync(ViolationCase violationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(FullRow(violationCase), violationCase.ETag, "case", cancellationToken).ConfigureAwait(false);
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.CasesTable, cancellationToken);

    private static string RowKey(string supplierId, string recordId) => supplierId + Separator + recordId;

    private static DynamicTableEntity RecordRow(ViolationCase c)
    {
        Keys.ThrowIfInvalid(c.SupplierId, "supplierId");
        Keys.ThrowIfInvalid(c.RecordId, "recordId");
        if (c.SupplierId.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"supplierId '{c.SupplierId}' cannot contain '{Separator}'", nameof(c));
        }

        var row = new DynamicTableEntity(Uscc.Shard(c.SupplierId), RowKey(c.SupplierId, c.RecordId)) { ETag = "*" };
        var p = row.Properties;
        p[SupplierId] = new EntityProperty(c.SupplierId);
        p[RecordId] = new EntityProperty(c.RecordId);
        p[Authority] = new EntityProperty(c.Authority);
        p[DocumentNumber] = new EntityProperty(TableRows.Text(c.DocumentNumber));
        p[Category] = new EntityProperty(c.Category);
        p[Summary] = new EntityProperty(c.Summary);
        p[PenaltyAmountCny] = new EntityProperty(TableRows.Amount(c.PenaltyAmountCny));
        p[IssuedOn] = new EntityProperty(TableRows.Date(c.IssuedOn));
        p[PublishedAt] = new EntityProperty(TableRows.Timestamp(c.PublishedAt));
        p[RecordRemoved] = new EntityProperty(c.RecordRemoved);
        p[RemovedAt] = new EntityProperty(TableRows.Timestamp(c.RemovedAt));
        return row;
    }

    private static DynamicTableEntity FullRow(ViolationCase c)
    {
        var row = RecordRow(c);
        row.Properties[PlanDueOn] = new EntityProperty(TableRows.Date(c.PlanDueOn));
        row.Properties[OpenedAt] = new EntityProperty(TableRows.Timestamp(c.OpenedAt));
        row.Properties[LastPlanId] = new EntityProperty(TableRows.Text(c.LastPlanId));
        row.Properties[LastPlanAt] = new EntityProperty(TableRows.Timestamp(c.LastPlanAt));
        return row;
    }

    private static ViolationCase FromRow(DynamicTableEntity row)
    {
        var separator = row.RowKey.IndexOf(Separator, StringComparison.Ordinal);
        var supplierId = row.GetTextOrNull(SupplierId) ?? row.RowKey[..separator];
        var recordId = row.GetTextOrNull(RecordId) ?? row.RowKey[(separator + 1)..];
        return new ViolationCase(supplierId, recordId)
        {
            Authority = row.GetText(Authority) ?? "",
            DocumentNumber = row.GetTextOrNull(DocumentNumber),
            Category = row.GetText(Category) ?? "other",
            Summary = row.GetText(Summary) ?? "",
            PenaltyAmountCny = row.GetAmount(PenaltyAmountCny),
            IssuedOn = row.GetDate(IssuedOn),
            PublishedAt = row.GetTimestamp(PublishedAt) ?? default,
            RecordRemoved = row.GetBool(RecordRemoved),
            RemovedAt = row.GetTimestamp(RemovedAt),
            PlanDueOn = row.GetDate(PlanDueOn) ?? default,
            OpenedAt = row.GetTimestamp(OpenedAt) ?? default,
            LastPlanId = row.GetTextOrNull(LastPlanId),
            LastPlanAt = row.GetTimestamp(LastPlanAt),
            ETag = row.ETag,
        };
    }
}
