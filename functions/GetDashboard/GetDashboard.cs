using DisclosurePipeline.Functions.Pages;

namespace DisclosurePipeline.Functions.GetDashboard;

/// <summary>
/// <c>GET /api/dashboard</c> — anonymous: the analysts' page (embedded in the assembly). It holds no data;
/// it asks for an analyst or staff key and reads the progress endpoints with it.
/// </summary>
internal static class GetDashboardFunction
{
    public const string Name = "GetDashboard";
    public const string ResourceName = "DisclosurePipeline.Functions.Dashboard.dashboard.html";

    private static readonly Lazy<HtmlPage> Page = new(() => HtmlPage.Load(ResourceName));

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/dashboard", (HttpContext context) => Page.Value.Serve(context)).WithName(Name).AllowAnonymous();
}
