using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PublicDataSimulator;

/// <summary>One entry of the change log.</summary>
internal sealed record ChangeEntry(long Sequence, string EnterpriseId, string Kind, DateTimeOffset ChangedAt);

/// <summary>The outcome of reading the change feed.</summary>
internal enum ChangeReadStatus
{
    Ok,
    Malformed,
    Expired,
}

/// <summary>
/// The platform's current state: the generated data plus what the control plane changed since start,
/// and the change log. One lock guards it all; reads copy what they return.
/// </summary>
internal sealed class PlatformStore(DataGenerator data, TimeProvider time)
{
    /// <summary>Cursors older than this get <c>410 Gone</c> (the contract's 30 days).</summary>
    public static readonly TimeSpan CursorLifetime = TimeSpan.FromDays(30);

    private readonly Lock gate = new();
    private readonly Dictionary<int, List<SimRecord>> changedRecords = [];
    private readonly Dictionary<long, int> addedRecordOwners = [];
    private readonly Dictionary<(int Index, int Year), (SimDisclosure Prtr, SimDisclosure Carbon)> changedDisclosures = [];
    private readonly List<ChangeEntry> changes = [];
    private long nextSequence = DataGenerator.FirstAddedSequence;
    private int cursorEpoch;

    public DataGenerator Data => data;

    public DateTimeOffset Now => Truncate(time.GetUtcNow().ToOffset(SimulatorSettings.ChinaOffset));

    public SimEntity? FindOnPlatform(string id) => data.Find(id) is { OnPlatform: true } entity ? entity : null;

    public List<SimRecord> Records(SimEntity entity)
    {
        lock (gate)
        {
            return changedRecords.TryGetValue(entity.Index, out var records) ? [.. records] : data.Records(entity);
        }
    }

    public (SimDisclosure Prtr, SimDisclosure Carbon) Disclosures(SimEntity entity, int year)
    {
        lock (gate)
        {
            return CurrentDisclosures(entity, year);
        }
    }

    public SimRecord AddRecord(SimEntity entity, Func<SimRecord, SimRecord> customize)
    {
        lock (gate)
        {
            var sequence = nextSequence++;
            var record = customize(data.NewRecord(entity, sequence, Now));
            MutableRecords(entity).Add(record);
            addedRecordOwners[sequence] = entity.Index;
            Log(entity.Id, "violation");
            return record;
        }
    }

    /// <summary>Sets a record's removal; null when no such record. Setting the state it already has changes nothing.</summary>
    public SimRecord? SetRemoved(string recordId, bool removed)
    {
        lock (gate)
        {
            if (FindOwner(recordId) is not { } owner)
            {
                return null;
            }

            var records = MutableRecords(owner);
            var at = records.FindIndex(r => r.RecordId == recordId);
            if (at < 0)
            {
                return null;
            }

            var record = records[at];
            if (record.Removed == removed)
            {
                return record;
            }

            records[at] = record = record with { Removed = removed, RemovedAt = removed ? Now : null };
            Log(owner.Id, "violation");
            return record;
        }
    }

    public (SimDisclosure Prtr, SimDisclosure Carbon) SetDisclosures(SimEntity entity, int year, string? prtr, string? carbon)
    {
        lock (gate)
        {
            var (oldPrtr, oldCarbon) = CurrentDisclosures(entity, year);
            var updated = (Next(oldPrtr, prtr), Next(oldCarbon, carbon));
            changedDisclosures[(entity.Index, year)] = updated;
            if (updated != (oldPrtr, oldCarbon))
            {
                Log(entity.Id, "disclosure");
            }

            return updated;
        }
    }

    /// <summary>A cursor at the end of the log, as of now.</summary>
    public string CurrentCursor()
    {
        lock (gate)
        {
            return Cursor(changes.Count);
        }
    }

    public (ChangeReadStatus Status, IReadOnlyList<ChangeEntry> Changes, string? NextCursor, bool HasMore) ReadChanges(string since, int limit)
    {
        lock (gate)
        {
            if (!TryParseCursor(since, out var epoch, out var position, out var issuedAt) || position > changes.Count)
            {
                return (ChangeReadStatus.Malformed, [], null, false);
            }

            if (epoch != cursorEpoch || Now - issuedAt > CursorLifetime)
            {
                return (ChangeReadStatus.Expired, [], null, false);
            }

            var page = changes.Skip((int)position).Take(limit).ToList();
            var next = (int)position + page.Count;
            return (ChangeReadStatus.Ok, page, Cursor(next), next < changes.Count);
        }
    }

    /// <summary>Makes every cursor handed out so far answer <c>410 Gone</c>.</summary>
    public void ExpireCursors()
    {
        lock (gate)
        {
            cursorEpoch++;
        }
    }

    private (SimDisclosure Prtr, SimDisclosure Carbon) CurrentDisclosures(SimEntity entity, int year) =>
        changedDisclosures.TryGetValue((entity.Index, year), out var changed) ? changed : data.Disclosures(entity, year);

    private SimEntity? FindOwner(string recordId)
    {
        if (DataGenerator.Sequence(recordId) is not { } sequence)
        {
            return null;
        }

        int? index = addedRecordOwners.TryGetValue(sequence, out var added) ? added : DataGenerator.GeneratedOwner(sequence);
        return index is { } i && i < data.Entities && data.Entity(i) is { OnPlatform: true } owner ? owner : null;
    }

    private List<SimRecord> MutableRecords(SimEntity entity)
    {
        if (!changedRecords.TryGetValue(entity.Index, out var records))
        {
            changedRecords[entity.Index] = records = data.Records(entity);
        }

        return records;
    }

    private SimDisclosure Next(SimDisclosure current, string? status) => status switch
    {
        null => current,
        "completed" when current.Status == "completed" => current,
        "completed" => new SimDisclosure("completed", Now),
        _ => new SimDisclosure(status, null),
    };

    private void Log(string enterpriseId, string kind) => changes.Add(new ChangeEntry(changes.Count + 1, enterpriseId, kind, Now));

    // Opaque to clients: "epoch.position.issuedAtUnixSeconds", base64url.
    private string Cursor(int position) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{cursorEpoch}.{position}.{Now.ToUnixTimeSeconds()}")));

    private static bool TryParseCursor(string cursor, out int epoch, out long position, out DateTimeOffset issuedAt)
    {
        epoch = 0;
        position = 0;
        issuedAt = default;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out epoch)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out position)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253_402_300_799)
        {
            return false;
        }

        issuedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));
}
