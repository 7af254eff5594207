using System.Text.Encodings.Web;
using System.Text.Json;
using DisclosurePipeline.Domain;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IPlanStore"/> over the <c>Plans</c> table: partition = the entity's shard, row key =
/// <c>{supplierId}|{recordId}|{planId}</c> (plan ids sort by submission time).
/// </summary>
/// <remarks>
/// What the supplier submitted is kept as one UTF-8 JSON document (camelCase, non-ASCII letters unescaped) split over
/// the binary columns <c>Content0</c>, <c>Content1</c>, … of at most <see cref="ChunkBytes"/> bytes each (a binary
/// property holds at most 64 KiB), with <c>ContentChunks</c> saying how many. <see cref="MaxChunks"/> chunks (960,000
/// bytes, under the 1 MiB entity limit with the other columns) hold any plan the API accepts: its body is at most
/// 256 KB, and re-serialising grows it at most threefold (a 4-byte character written raw becomes a 12-byte escaped
/// surrogate pair). A larger content is refused with <see cref="ArgumentException"/>. Binary chunks, unlike text
/// ones, cannot split a character in a way that corrupts it.
/// </remarks>
internal sealed class TablePlanStore(StorageAccount account) : IPlanStore
{
    /// <summary>Bytes per content column.</summary>
    public const int ChunkBytes = 64_000;

    /// <summary>Most content columns.</summary>
    public const int MaxChunks = 15;

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
        var row = await table.RetrieveAsync(Uscc.Shard(supplierId), RowKey(supplierId, recordId, planId), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListForCaseAsync(string supplierId, string recordId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var prefix = supplierId + Separator + recordId;
        var rows = await table.QueryAllAsync(
            TableRows.RangeQuery(Uscc.Shard(supplierId), prefix + Separator, prefix + AfterSeparator, lastInclusive: false),
            cancellationToken).ConfigureAwait(false);

        // A record id may itself contain '|': the range can hold another record's plans, so filter exactly.
        return Ordered(rows.Select(FromRow).Where(p => p.RecordId == recordId));
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(
            TableRows.RangeQuery(Uscc.Shard(supplierId), supplierId + Separator, supplierId + AfterSeparator, lastInclusive: false),
            cancellationToken).ConfigureAwait(false);
        return Ordered(rows.Select(FromRow));
    }

    public async Task<IReadOnlyList<ImprovementPlan>> ListAllAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(new TableQuery(), cancellationToken).ConfigureAwait(false);
        return Ordered(rows.Select(FromRow));
    }

    public async Task<bool> TryAddAsync(ImprovementPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.ExecuteAsync(TableOperation.Insert(ToRow(plan)), null, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.IsConflict())
        {
            return false;
        }
    }

    public async Task<bool> TryReplaceAsync(ImprovementPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(ToRow(plan), plan.ETag, "plan", cancellationToken).ConfigureAwait(false);
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.PlansTable, cancellationToken);

    private static string RowKey(string supplierId, string recordId, string planId) =>
        supplierId + Separator + recordId + Separator + planId;

    private static List<ImprovementPlan> Ordered(IEnumerable<ImprovementPlan> plans) =>
        plans.OrderBy(p => p.SubmittedAt).ThenBy(p => p.PlanId, StringComparer.Ordinal).ToList();

    private static DynamicTableEntity ToRow(ImprovementPlan plan)
    {
        Keys.ThrowIfInvalid(plan.SupplierId, "supplierId");
        Keys.ThrowIfInvalid(plan.RecordId, "recordId");
        Keys.ThrowIfInvalid(plan.PlanId, "planId");
        if (plan.SupplierId.Contains(Separator, StringComparison.Ordinal) || plan.PlanId.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"supplierId and planId cannot contain '{Separator}'", nameof(plan));
        }

        var content = JsonSerializer.SerializeToUtf8Bytes(plan.Content, Json).Chunk(ChunkBytes).ToList();
        if (content.Count > MaxChunks)
        {
            throw new ArgumentException($"the plan's content is too large to store ({content.Count} chunks of {ChunkBytes} bytes; at most {MaxChunks})", nameof(plan));
        }

        var row = new DynamicTableEntity(Uscc.Shard(plan.SupplierId), RowKey(plan.SupplierId, plan.RecordId, plan.PlanId));
        var p = row.Properties;
        p[SupplierId] = new EntityProperty(plan.SupplierId);
        p[RecordId] = new EntityProperty(plan.RecordId);
        p[PlanId] = new EntityProperty(plan.PlanId);
        p[SubmittedAt] = new EntityProperty(TableRows.Timestamp(plan.SubmittedAt));
        p[Late] = new EntityProperty(plan.Late);
        p[Decision] = new EntityProperty(DecisionText(plan.Decision));
        p[ReviewedAt] = new EntityProperty(TableRows.Timestamp(plan.ReviewedAt));
        p[ReviewedBy] = new EntityProperty(TableRows.Text(plan.ReviewedBy));
        p[Comment] = new EntityProperty(TableRows.Text(plan.Comment));
        p[DocumentPath] = new EntityProperty(TableRows.Text(plan.DocumentPath));
        p[ContentChunks] = new EntityProperty(content.Count);
        for (var i = 0; i < content.Count; i++)
        {
            p[ContentPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new EntityProperty(content[i]);
        }

        return row;
    }

    private static ImprovementPlan FromRow(DynamicTableEntity row)
    {
        var chunks = row.GetInt(ContentChunks);
        var json = Enumerable.Range(0, chunks)
            .SelectMany(i => row.Properties.TryGetValue(ContentPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var p) ? p.BinaryValue ?? [] : [])
            .ToArray();
        var content = JsonSerializer.Deserialize<PlanContent>(json, Json)
            ?? throw new InvalidDataException($"plan row {row.RowKey} has no content");
        return new ImprovementPlan(row.GetText(SupplierId) ?? "", row.GetText(RecordId) ?? "", row.GetText(PlanId) ?? "", content)
        {
            SubmittedAt = row.GetTimestamp(SubmittedAt) ?? default,
            Late = row.GetBool(Late),
            Decision = ParseDecision(row.GetText(Decision)),
            ReviewedAt = row.GetTimestamp(ReviewedAt),
            ReviewedBy = row.GetTextOrNull(ReviewedBy),
            Comment = row.GetTextOrNull(Comment),
            DocumentPath = row.GetTextOrNull(DocumentPath),
            ETag = row.ETag,
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
