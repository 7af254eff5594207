using DisclosurePipeline.Functions.Pages;

namespace DisclosurePipeline.Functions.GetPortal;

/// <summary><c>GET /api/portal</c> — anonymous: the suppliers' page. It holds no data; it asks for a supplier key and calls <c>/api/me/*</c> with it.</summary>
internal static class GetPortalFunction
{
    public const string Name = "GetPortal";
    public const string ResourceName = "DisclosurePipeline.Functions.Pages.portal.html";

    private static readonly Lazy<HtmlPage> Page = new(() => HtmlPage.Load(ResourceName));

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/portal", (HttpContext context) => Page.Value.Serve(context)).WithName(Name).AllowAnonymous();
}
