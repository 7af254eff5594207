namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// One request of the bad-input matrix and the one answer it must get. <see cref="Path"/> and <see cref="Caller"/> may
/// name the stack's fixtures: <c>{owner}</c>, <c>{stranger}</c>, <c>{record}</c>, <c>{plan}</c> in the path; the caller
/// <c>none</c>, <c>staff</c>, <c>analyst</c>, <c>owner</c>, <c>stranger</c>, or <c>raw:</c> followed by an
/// <c>Authorization</c> header sent as it is (several separated by <c>\n</c>).
/// </summary>
/// <param name="Name">Unique; the test's display name.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query.</param>
/// <param name="Caller">Who calls.</param>
/// <param name="ContentType">The body's Content-Type (null: none).</param>
/// <param name="Body">Makes the body (null: no body).</param>
/// <param name="Status">The status the answer must have.</param>
internal sealed record BadInputCase(string Name, string Method, string Path, string Caller, string? ContentType, Func<byte[]>? Body, int Status)
{
    /// <summary>Send the body chunked (no Content-Length).</summary>
    public bool Chunked { get; init; }

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>Allow</c> header a 405 must carry.</summary>
    public string? Allow { get; init; }

    /// <summary>The field that a 400's <c>errors</c> must name.</summary>
    public string? ErrorField { get; init; }

    public override string ToString() => Name;
}
