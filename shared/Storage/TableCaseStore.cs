using System.Net;
using DisclosurePipeline.Domain;
using Azure.Data.Tables;

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

    public async Task<ViolationCase?> GetAsync(string supplierId, string recordId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<CaseRow>(Uscc.Shard(supplierId), RowKey(supplierId, recordId), cancellationToken).ConfigureAwait(false);
        return row?.ToCase();
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
        var filter = TableRows.RangeFilter(shard, firstId + Separator, lastId + AfterSeparator, lastInclusive: false);
        var rows = await table.QueryAllAsync<CaseRow>(filter, null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToCase()).ToList();
    }

    public async Task<IReadOnlyList<ViolationCase>> ListAllAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<CaseRow>(null, null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToCase()).ToList();
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
        await table.WriteBatchesAsync(opened.Select(CaseRow.Full), TableTransactionActionType.Add, HttpStatusCode.Conflict, cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(updated.Select(CaseRecordRow.From), TableTransactionActionType.UpdateMerge, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryReplaceAsync(ViolationCase violationCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(CaseRow.Full(violationCase), violationCase.ETag, "case", cancellationToken).ConfigureAwait(false);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.CasesTable, cancellationToken);

    internal static string RowKey(string supplierId, string recordId) => supplierId + Separator + recordId;
}

/// <summary>The platform record's columns of a <c>Cases</c> row (what a sync merges).</summary>
internal class CaseRecordRow : TableRow
{
    public string? SupplierId { get; set; }

    public string? RecordId { get; set; }

    public string? Authority { get; set; }

    public string? DocumentNumber { get; set; }

    public string? Category { get; set; }

    public string? Summary { get; set; }

    public string? PenaltyAmountCny { get; set; }

    public string? IssuedOn { get; set; }

    public string? PublishedAt { get; set; }

    public bool RecordRemoved { get; set; }

    public string? RemovedAt { get; set; }

    public static CaseRecordRow From(ViolationCase c) => Fill(new CaseRecordRow(), c);

    protected static T Fill<T>(T row, ViolationCase c)
        where T : CaseRecordRow
    {
        Keys.ThrowIfInvalid(c.SupplierId, "supplierId");
        Keys.ThrowIfInvalid(c.RecordId, "recordId");
        if (c.SupplierId.Contains('|', StringComparison.Ordinal))
        {
            throw new ArgumentException($"supplierId '{c.SupplierId}' cannot contain '|'", nameof(c));
        }

        row.PartitionKey = Uscc.Shard(c.SupplierId);
        row.RowKey = TableCaseStore.RowKey(c.SupplierId, c.RecordId);
        row.SupplierId = c.SupplierId;
        row.RecordId = c.RecordId;
        row.Authority = c.Authority;
        row.DocumentNumber = TableRows.Text(c.DocumentNumber);
        row.Category = c.Category;
        row.Summary = c.Summary;
        row.PenaltyAmountCny = TableRows.Amount(c.PenaltyAmountCny);
        row.IssuedOn = TableRows.Date(c.IssuedOn);
        row.PublishedAt = TableRows.Timestamp(c.PublishedAt);
        row.RecordRemoved = c.RecordRemoved;
        row.RemovedAt = TableRows.Timestamp(c.RemovedAt);
        return row;
    }
}

/// <summary>A whole <c>Cases</c> row: the record's columns and the case's own (deadline, opening, last plan).</summary>
internal sealed class CaseRow : CaseRecordRow
{
    public string? PlanDueOn { get; set; }

    public string? OpenedAt { get; set; }

    public string? LastPlanId { get; set; }

    public string? LastPlanAt { get; set; }

    public static CaseRow Full(ViolationCase c)
    {
        var row = Fill(new CaseRow(), c);
        row.PlanDueOn = TableRows.Date(c.PlanDueOn);
        row.OpenedAt = TableRows.Timestamp(c.OpenedAt);
        row.LastPlanId = TableRows.Text(c.LastPlanId);
        row.LastPlanAt = TableRows.Timestamp(c.LastPlanAt);
        return row;
    }

    public ViolationCase ToCase()
    {
        var separator = RowKey.IndexOf('|', StringComparison.Ordinal);
        var supplierId = TableRows.TextOrNull(SupplierId) ?? RowKey[..separator];
        var recordId = TableRows.TextOrNull(RecordId) ?? RowKey[(separator + 1)..];
        return new ViolationCase(supplierId, recordId)
        {
            Authority = Authority ?? "",
            DocumentNumber = TableRows.TextOrNull(DocumentNumber),
            Category = Category ?? "other",
            Summary = Summary ?? "",
            PenaltyAmountCny = TableRows.ParseAmount(PenaltyAmountCny),
            IssuedOn = TableRows.ParseDate(IssuedOn),
            PublishedAt = TableRows.ParseTimestamp(PublishedAt) ?? default,
            RecordRemoved = RecordRemoved,
            RemovedAt = TableRows.ParseTimestamp(RemovedAt),
            PlanDueOn = TableRows.ParseDate(PlanDueOn) ?? default,
            OpenedAt = TableRows.ParseTimestamp(OpenedAt) ?? default,
            LastPlanId = TableRows.TextOrNull(LastPlanId),
            LastPlanAt = TableRows.ParseTimestamp(LastPlanAt),
            ETag = ETag.ToString(),
        };
    }
}
