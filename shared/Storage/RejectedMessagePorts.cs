namespace DisclosurePipeline.Storage;

/// <summary>A queue message the pipeline refused: it can never be processed, so it is recorded instead of retried.</summary>
/// <param name="Queue">The queue it was taken from (its <c>-poison</c> queue included).</param>
/// <param name="Reason">Why it was refused, for operators.</param>
/// <param name="Text">The message text (cut to <see cref="MaxTextLength"/> characters).</param>
/// <param name="At">When it was refused (the latest time when it was refused more than once).</param>
public sealed record RejectedMessage(string Queue, string Reason, string Text, DateTimeOffset At)
{
    /// <summary>The most characters of a message kept.</summary>
    public const int MaxTextLength = 4000;
}

/// <summary>The table operators read refused queue messages from (<c>RejectedMessages</c>).</summary>
public interface IRejectedMessageStore
{
    /// <summary>Records a refusal; the same text refused on the same queue family again updates its one row.</summary>
    Task RecordAsync(RejectedMessage message, CancellationToken cancellationToken);

    /// <summary>Every recorded refusal.</summary>
    Task<IReadOnlyList<RejectedMessage>> ListAsync(CancellationToken cancellationToken);
}
