using System.Text.Encodings.Web;
using System.Text.Json;
using DisclosurePipeline.Domain;
using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IPlanStore"/> over the <c>Plans</c> table: partition = the entity's shard, row key =
/// <c>{supplierId}|{recordId}|{planId}</c> (plan ids sort by submission time).
/// </summary>
/// <remarks>
/// What the supplier submitted is kept as one UTF-8 JSON document (camelCase, every character but the JSON ones
/// written raw, never as a <c>\uXXXX</c> escape) split over the binary columns <c>Content0</c>, <c>Content1</c>, … of at
/// most <see cref="ChunkBytes"/> bytes each (a binary property holds at most 64 KiB), with <c>ContentChunks</c> saying
/// how many. Written raw, the document is no larger than the request body it came from (plus <c>null</c> for omitted
/// fields), so a plan the API accepts (at most 256 KB) takes at most five columns. <see cref="MaxChunks"/> columns
/// (704,000 bytes) keep the whole row under 1 MiB even as the storage emulator measures it — the JSON of the request,
/// binary columns in base64 — so a plan row can always be replaced (reviewed, given its document) once it is added.
/// A larger content is refused with <see cref="ArgumentException"/> before anything is written. Binary chunks, unlike
/// text ones, cannot split a character in a way that corrupts it.
/// </remarks>
internal sealed class TablePlanStore(StorageAccount account) : IPlanStore
{
    /// <summary>Bytes per content column.</summary>
    public const int ChunkBytes = 64_000;

    /// <summary>Most content columns.</summary>
    public const int MaxChunks = 11;

    private const char Separator = '|';
    private const char AfterSeparator = '}';

    private const string SupplierId = nameof(SupplierId);
    private const string RecordId = nameof(RecordId);
    private const string PlanId = nameof(PlanId);
    private const string SubmittedAt = nameof(SubmittedAt);
    private const string Late = nameof(Late);
    private const string Decision = nameof(Decision);
    private const string ReviewedAt = nameof(ReviewedAt);
    private const string ReviewedBy = nameof(ReviewedBy);
    private const string Comment = nameof(Comment);
    private const string DocumentPath = nameof(DocumentPath);
    private const string ContentChunks = nameof(ContentChunks);
    private const string ContentPrefix = "Content";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<ImprovementPlan?> GetAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        ArgumentException.ThrowIfNullOrEmpty(planId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<TableEntity>(Uscc.Shard(supplierId), RowKey(supplierId, recordId, planId), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListForCaseAsync(string supplierId, string recordId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var prefix = supplierId + Separator + recordId;
        var rows = await table.QueryAllAsync<TableEntity>(
            TableRows.RangeFilter(Uscc.Shard(supplierId), prefix + Separator, prefix + AfterSeparator, lastInclusive: false),
            null,
            cancellationToken).ConfigureAwait(false);

        // A record id may itself contain '|': the range can hold another record's plans, so filter exactly.
        return Ordered(rows.Select(FromRow).Where(p => p.RecordId == recordId));
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<TableEntity>(
            TableRows.RangeFilter(Uscc.Shard(supplierId), supplierId + Separator, supplierId + AfterSeparator, lastInclusive: false),
            null,
            cancellationToken).ConfigureAwait(false);
        return Ordered(rows.Select(FromRow));
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListAllAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<TableEntity>(null, null, cancellationToken).ConfigureAwait(false);
        return Ordered(rows.Select(FromRow));
    }

    public async Task<bool> TryAddAsync(ImprovementPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryAddAsync(ToRow(plan), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryReplaceAsync(ImprovementPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(ToRow(plan), plan.ETag, "plan", cancellationToken).ConfigureAwait(false);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.PlansTable, cancellationToken);

    private static string RowKey(string supplierId, string recordId, string planId) =>
        supplierId + Separator + recordId + Separator + planId;

    private static List<ImprovementPlan> Ordered(IEnumerable<ImprovementPlan> plans) =>
        plans.OrderBy(p => p.SubmittedAt).ThenBy(p => p.PlanId, StringComparer.Ordinal).ToList();

    private static TableEntity ToRow(ImprovementPlan plan)
    {
        Keys.ThrowIfInvalid(plan.SupplierId, "supplierId");
        Keys.ThrowIfInvalid(plan.RecordId, "recordId");
        Keys.ThrowIfInvalid(plan.PlanId, "planId");
        if (plan.SupplierId.Contains(Separator, StringComparison.Ordinal) || plan.PlanId.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"supplierId and planId cannot contain '{Separator}'", nameof(plan));
        }

        var content = RawJson.Unescape(JsonSerializer.SerializeToUtf8Bytes(plan.Content, Json)).Chunk(ChunkBytes).ToList();
        if (content.Count > MaxChunks)
        {
            throw new ArgumentException($"the plan's content is too large to store ({content.Count} chunks of {ChunkBytes} bytes; at most {MaxChunks})", nameof(plan));
        }

        var row = new TableEntity(Uscc.Shard(plan.SupplierId), RowKey(plan.SupplierId, plan.RecordId, plan.PlanId))
        {
            [SupplierId] = plan.SupplierId,
            [RecordId] = plan.RecordId,
            [PlanId] = plan.PlanId,
            [SubmittedAt] = TableRows.Timestamp(plan.SubmittedAt),
            [Late] = plan.Late,
            [Decision] = DecisionText(plan.Decision),
            [ReviewedAt] = TableRows.Timestamp(plan.ReviewedAt),
            [ReviewedBy] = TableRows.Text(plan.ReviewedBy),
            [Comment] = TableRows.Text(plan.Comment),
            [DocumentPath] = TableRows.Text(plan.DocumentPath),
            [ContentChunks] = content.Count,
        };
        for (var i = 0; i < content.Count; i++)
        {
            row[ContentPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = content[i];
        }

        return row;
    }

    private static ImprovementPlan FromRow(TableEntity row)
    {
        var chunks = row.GetInt32(ContentChunks) ?? 0;
        var json = Enumerable.Range(0, chunks)
            .SelectMany(i => row.GetBinary(ContentPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? [])
            .ToArray();
        var content = JsonSerializer.Deserialize<PlanContent>(json, Json)
            ?? throw new InvalidDataException($"plan row {row.RowKey} has no content");
        return new ImprovementPlan(row.GetString(SupplierId) ?? "", row.GetString(RecordId) ?? "", row.GetString(PlanId) ?? "", content)
        {
            SubmittedAt = TableRows.ParseTimestamp(row.GetString(SubmittedAt)) ?? default,
            Late = row.GetBoolean(Late) ?? false,
            Decision = ParseDecision(row.GetString(Decision)),
            ReviewedAt = TableRows.ParseTimestamp(row.GetString(ReviewedAt)),
            ReviewedBy = TableRows.TextOrNull(row.GetString(ReviewedBy)),
            Comment = TableRows.TextOrNull(row.GetString(Comment)),
            DocumentPath = TableRows.TextOrNull(row.GetString(DocumentPath)),
            ETag = row.ETag.ToString(),
        };
    }

    private static string DecisionText(PlanDecision decision) => decision switch
    {
        PlanDecision.Pending => "pending",
        PlanDecision.Approved => "approved",
        PlanDecision.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    private static PlanDecision ParseDecision(string? value) => value switch
    {
        "approved" => PlanDecision.Approved,
        "rejected" => PlanDecision.Rejected,
        _ => PlanDecision.Pending,
    };
}
