using System.Globalization;
using System.Security.Cryptography;

namespace DisclosurePipeline.Domain;

/// <summary>Staff's decision on an improvement plan, as the HTTP contract names them (lower case in JSON).</summary>
public enum PlanDecision
{
    /// <summary>Submitted, waiting for review.</summary>
    Pending,

    /// <summary>Approved by staff.</summary>
    Approved,

    /// <summary>Rejected by staff; a new plan is due by the case's moved <c>planDueOn</c>.</summary>
    Rejected,
}

/// <summary>One corrective action of a plan.</summary>
/// <param name="Description">What will be done (required).</param>
/// <param name="Owner">Who is responsible; null when not given.</param>
/// <param name="DueOn">When the action is due; null when not given.</param>
public sealed record PlanAction(string Description, string? Owner, DateOnly? DueOn);

/// <summary>Who at the supplier answers questions about a plan. Every field is optional.</summary>
/// <param name="Name">The contact's name.</param>
/// <param name="Email">The contact's e-mail address (validated when given).</param>
/// <param name="Phone">The contact's phone number, as written.</param>
public sealed record PlanContact(string? Name, string? Email, string? Phone)
{
    /// <summary>No contact given.</summary>
    public static PlanContact None { get; } = new(null, null, null);
}

/// <summary>
/// What a supplier submitted: the validated body of <c>POST /api/me/violations/{recordId}/plans</c>
/// (see <see cref="PlanSubmission"/>).
/// </summary>
/// <param name="Summary">The plan in short (1..4000 characters).</param>
/// <param name="RootCause">Why the violation happened (1..4000 characters).</param>
/// <param name="Actions">The corrective actions (1..50), in the order submitted.</param>
/// <param name="ExpectedCompletionOn">When the supplier expects every action to be done.</param>
/// <param name="Contact">Who to ask; <see cref="PlanContact.None"/> when not given.</param>
public sealed record PlanContent(
    string Summary,
    string RootCause,
    IReadOnlyList<PlanAction> Actions,
    DateOnly ExpectedCompletionOn,
    PlanContact Contact);

/// <summary>
/// An improvement plan submitted for one violation case, with staff's review. Plans are history:
/// a rejected plan stays, and a new plan is a new row with a new <see cref="PlanId"/>.
/// </summary>
/// <param name="SupplierId">The entity's USCC (the case's <see cref="ViolationCase.SupplierId"/>).</param>
/// <param name="RecordId">The case's platform record id.</param>
/// <param name="PlanId">The plan's id, from <see cref="NewPlanId"/>: ordinal order is submission order.</param>
/// <param name="Content">What was submitted.</param>
public sealed record ImprovementPlan(string SupplierId, string RecordId, string PlanId, PlanContent Content)
{
    /// <summary>When the plan was accepted.</summary>
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>True when the plan was submitted on a local date after the case's <c>planDueOn</c>.</summary>
    public bool Late { get; init; }

    /// <summary>Staff's decision.</summary>
    /// <value>Default: <see cref="PlanDecision.Pending"/>.</value>
    public PlanDecision Decision { get; init; } = PlanDecision.Pending;

    /// <summary>When staff decided; null while pending.</summary>
    public DateTimeOffset? ReviewedAt { get; init; }

    /// <summary>Who decided (however the caller identifies staff); null while pending.</summary>
    public string? ReviewedBy { get; init; }

    /// <summary>The reviewer's comment; always present on a rejection.</summary>
    public string? Comment { get; init; }

    /// <summary>The blob path of the plan's PDF; null until one is uploaded.</summary>
    public string? DocumentPath { get; init; }

    /// <summary>The store's concurrency token; null for a plan not read from the store.</summary>
    public string? ETag { get; init; }

    /// <summary>Where this plan's PDF is kept: <c>{supplierId}/{recordId}/{planId}.pdf</c>.</summary>
    public string DefaultDocumentPath => $"{SupplierId}/{RecordId}/{PlanId}.pdf";

    /// <summary>
    /// A new plan id: <c>"p"</c>, the UTC ticks of <paramref name="time"/>'s now as 19 digits, and 8 random
    /// lower-case hex digits. Ids sort by submission time (ordinally); the random tail keeps two plans of
    /// the same tick apart. Only <c>[a-z0-9]</c>, so it is safe in table keys, blob names and URLs.
    /// </summary>
    public static string NewPlanId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var ticks = time.GetUtcNow().UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return "p" + ticks + Convert.ToHexStringLower(random);
    }
}
