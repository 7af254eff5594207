using DisclosurePipeline.Functions.Pages;

namespace DisclosurePipeline.Functions.GetWorkbench;

/// <summary><c>GET /api/workbench</c> — anonymous: the staff's page. It holds no data; it asks for a staff key and calls the staff endpoints with it.</summary>
internal static class GetWorkbenchFunction
{
    public const string Name = "GetWorkbench";
    public const string ResourceName = "DisclosurePipeline.Functions.Pages.workbench.html";

    private static readonly Lazy<HtmlPage> Page = new(() => HtmlPage.Load(ResourceName));

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/workbench", (HttpContext context) => Page.Value.Serve(context)).WithName(Name).AllowAnonymous();
}
