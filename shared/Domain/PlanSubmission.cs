using System.Globalization;
using System.Text.Json;

namespace DisclosurePipeline.Domain;

/// <summary>
/// Validation of the body of <c>POST /api/me/violations/{recordId}/plans</c>:
/// <c>{"summary", "rootCause", "actions": [{"description", "owner", "dueOn"}], "expectedCompletionOn",
/// "contact": {"name", "email", "phone"}}</c>. Property names are camelCase (matched case-insensitively,
/// as ASP.NET Core binds); unknown properties are ignored; text is kept exactly as written. Every rule
/// that fails is reported, each under its field's name.
/// </summary>
public static class PlanSubmission
{
    /// <summary>The most characters (Unicode code points) in <c>summary</c> and <c>rootCause</c>.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>The fewest actions a plan has.</summary>
    public const int MinActions = 1;

    /// <summary>The most actions a plan has.</summary>
    public const int MaxActions = 50;

    /// <summary>Parses and validates a UTF-8 JSON body; a body that is not JSON is one error under <c>body</c>.</summary>
    public static Validated<PlanContent> Parse(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException)
        {
            return NotJson();
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    /// <summary>Parses and validates a JSON body given as text; a body that is not JSON is one error under <c>body</c>.</summary>
    public static Validated<PlanContent> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return NotJson();
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    /// <summary>Validates a parsed body. Anything but a JSON object is one error under <c>body</c>.</summary>
    public static Validated<PlanContent> Validate(JsonElement body)
    {
        var reader = new JsonFieldReader();
        if (body.ValueKind != JsonValueKind.Object)
        {
            reader.Add(Validated<PlanContent>.BodyKey, "The body must be a JSON object.");
            return Validated<PlanContent>.Invalid(reader.ToDictionary());
        }

        if (JsonText.FindUnreadable(body) is { } unreadable)
        {
            reader.Add(unreadable, unreadable + " " + JsonText.NotText);
            return Validated<PlanContent>.Invalid(reader.ToDictionary());
        }

        var summary = reader.Text(body, "summary", "summary", required: true, MaxTextLength);
        var rootCause = reader.Text(body, "rootCause", "rootCause", required: true, MaxTextLength);
        var actions = ReadActions(body, reader);
        var expected = reader.Date(body, "expectedCompletionOn", "expectedCompletionOn", required: true);
        var contact = ReadContact(body, reader);

        if (reader.HasErrors)
        {
            return Validated<PlanContent>.Invalid(reader.ToDictionary());
        }

        return Validated<PlanContent>.Valid(new PlanContent(summary!, rootCause!, actions!, expected!.Value, contact!));
    }

    private static List<PlanAction>? ReadActions(JsonElement body, JsonFieldReader reader)
    {
        if (!JsonFieldReader.TryGet(body, "actions", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            reader.Add("actions", "actions is required (1 to 50 actions).");
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            reader.Add("actions", "actions must be an array.");
            return null;
        }

        var count = array.GetArrayLength();
        if (count is < MinActions or > MaxActions)
        {
            reader.Add("actions", string.Create(CultureInfo.InvariantCulture, $"actions must hold {MinActions} to {MaxActions} actions (it has {count})."));
        }

        var actions = new List<PlanAction>(Math.Min(count, MaxActions));
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"actions[{index}]");
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                reader.Add(field, $"{field} must be an object.");
                continue;
            }

            var description = reader.Text(item, "description", field + ".description", required: true, maxLength: null);
            var owner = reader.Text(item, "owner", field + ".owner", required: false, maxLength: null);
            var dueOn = reader.Date(item, "dueOn", field + ".dueOn", required: false);
            if (description is not null)
            {
                actions.Add(new PlanAction(description, owner, dueOn));
            }
        }

        return actions;
    }

    private static PlanContact? ReadContact(JsonElement body, JsonFieldReader reader)
    {
        if (!JsonFieldReader.TryGet(body, "contact", out var contact) || contact.ValueKind == JsonValueKind.Null)
        {
            return PlanContact.None;
        }

        if (contact.ValueKind != JsonValueKind.Object)
        {
            reader.Add("contact", "contact must be an object.");
            return null;
        }

        var name = reader.Text(contact, "name", "contact.name", required: false, maxLength: null);
        var email = reader.Text(contact, "email", "contact.email", required: false, maxLength: null);
        var phone = reader.Text(contact, "phone", "contact.phone", required: false, maxLength: null);
        if (email is not null && !EmailAddress.IsValid(email))
        {
            reader.Add("contact.email", "contact.email must be an e-mail address.");
            return null;
        }

        return new PlanContact(name, email, phone);
    }

    private static Validated<PlanContent> NotJson() =>
        Validated<PlanContent>.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            [Validated<PlanContent>.BodyKey] = ["The body is not valid JSON."],
        });
}

/// <summary>A staff review request: <c>{"decision": "approve|reject", "comment": text}</c>.</summary>
/// <param name="Decision">Approve or reject.</param>
/// <param name="Comment">The comment; null when not given (never null for a rejection).</param>
public sealed record PlanReviewRequest(ReviewDecision Decision, string? Comment)
{
    /// <summary>The most characters in a comment.</summary>
    public const int MaxCommentLength = 4000;

    /// <summary>
    /// Validates a parsed review body: <c>decision</c> must be <c>"approve"</c> or <c>"reject"</c> (exactly, lower case);
    /// <c>comment</c> is a string of at most <see cref="MaxCommentLength"/> characters, required for a rejection.
    /// </summary>
    public static Validated<PlanReviewRequest> Validate(JsonElement body)
    {
        var reader = new JsonFieldReader();
        if (body.ValueKind != JsonValueKind.Object)
        {
            reader.Add(Validated<PlanReviewRequest>.BodyKey, "The body must be a JSON object.");
            return Validated<PlanReviewRequest>.Invalid(reader.ToDictionary());
        }

        if (JsonText.FindUnreadable(body) is { } unreadable)
        {
            reader.Add(unreadable, unreadable + " " + JsonText.NotText);
            return Validated<PlanReviewRequest>.Invalid(reader.ToDictionary());
        }

        ReviewDecision? decision = null;
        if (!JsonFieldReader.TryGet(body, "decision", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            reader.Add("decision", "decision is required: approve or reject.");
        }
        else if (value.ValueKind == JsonValueKind.String && value.ValueEquals("approve"))
        {
            decision = ReviewDecision.Approve;
        }
        else if (value.ValueKind == JsonValueKind.String && value.ValueEquals("reject"))
        {
            decision = ReviewDecision.Reject;
        }
        else
        {
            reader.Add("decision", "decision must be approve or reject.");
        }

        var comment = reader.Text(body, "comment", "comment", required: decision == ReviewDecision.Reject, MaxCommentLength);
        if (reader.HasErrors)
        {
            return Validated<PlanReviewRequest>.Invalid(reader.ToDictionary());
        }

        return Validated<PlanReviewRequest>.Valid(new PlanReviewRequest(decision!.Value, comment));
    }

    /// <summary>Parses and validates a UTF-8 JSON review body; a body that is not JSON is one error under <c>body</c>.</summary>
    public static Validated<PlanReviewRequest> Parse(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException)
        {
            return Validated<PlanReviewRequest>.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                [Validated<PlanReviewRequest>.BodyKey] = ["The body is not valid JSON."],
            });
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }

    /// <summary>Parses and validates a JSON review body given as text; a body that is not JSON is one error under <c>body</c>.</summary>
    public static Validated<PlanReviewRequest> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return Validated<PlanReviewRequest>.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                [Validated<PlanReviewRequest>.BodyKey] = ["The body is not valid JSON."],
            });
        }

        using (document)
        {
            return Validate(document.RootElement);
        }
    }
}
