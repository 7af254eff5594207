namespace DisclosurePipeline.Functions.GetDashboard;

/// <summary>
/// <c>GET /api/dashboard</c> — anonymous: the analysts' page (embedded in the assembly). It holds no data;
/// it asks for an analyst or staff key and reads the progress endpoints with it.
/// </summary>
internal static class GetDashboardFunction
{
    public const string Name = "GetDashboard";
    public const string ResourceName = "DisclosurePipeline.Functions.Dashboard.dashboard.html";

    private static readonly Lazy<byte[]> Page = new(Load);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/dashboard", Handle).WithName(Name).AllowAnonymous();

    private static IResult Handle(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Bytes(Page.Value, "text/html; charset=utf-8");
    }

    private static byte[] Load()
    {
        using var stream = typeof(GetDashboardFunction).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
