namespace DisclosurePipeline.Cases;

/// <summary>The total order of a <see cref="CaseSort"/>: its sort value, then supplier id, then record id (ordinal).</summary>
internal sealed class CaseOrder : IComparer<CaseView>
{
    private readonly CaseSort sort;
    private readonly bool descending;

    private CaseOrder(CaseSort sort)
    {
        this.sort = sort;
        descending = sort is CaseSort.PublishedNewestFirst or CaseSort.DueLatestFirst;
    }

    public static CaseOrder For(CaseSort sort) => new(sort);

    public int Compare(CaseView? x, CaseView? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Compare(CaseCursor.SortValueOf(x, sort), x.SupplierId, x.RecordId, CaseCursor.SortValueOf(y, sort), y.SupplierId, y.RecordId);
    }

    /// <summary>True when <paramref name="view"/> comes after <paramref name="cursor"/> in this order.</summary>
    public bool IsAfter(CaseView view, CaseCursor cursor) =>
        Compare(CaseCursor.SortValueOf(view, sort), view.SupplierId, view.RecordId, cursor.SortValue, cursor.SupplierId, cursor.RecordId) > 0;

    private int Compare(long xValue, string xSupplier, string xRecord, long yValue, string ySupplier, string yRecord)
    {
        var byValue = xValue.CompareTo(yValue);
        if (byValue != 0)
        {
            return descending ? -byValue : byValue;
        }

        var bySupplier = string.CompareOrdinal(xSupplier, ySupplier);
        return bySupplier != 0 ? bySupplier : string.CompareOrdinal(xRecord, yRecord);
    }
}
