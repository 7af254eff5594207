namespace HostFixture;

/// <summary>A typed queue message: <c>{"id":"...","kind":"ok|fail","note":"..."}</c>.</summary>
public sealed class WorkItem
{
    public string? Id { get; set; }

    public string? Kind { get; set; }

    public string? Note { get; set; }
}
