using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Functions.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions;

/// <summary>
/// The pages people use, embedded in the assembly and served to anyone: they hold no data, ask for a key once
/// per browser session and call the API with it. Each is served with its own strict policy (<see cref="HtmlPage"/>).
/// </summary>
internal static class PageFunctions
{
    private static readonly Lazy<HtmlPage> Dashboard = new(() => HtmlPage.Load("DisclosurePipeline.Functions.Dashboard.dashboard.html"));
    private static readonly Lazy<HtmlPage> Portal = new(() => HtmlPage.Load("DisclosurePipeline.Functions.Pages.portal.html"));
    private static readonly Lazy<HtmlPage> Workbench = new(() => HtmlPage.Load("DisclosurePipeline.Functions.Pages.workbench.html"));

    /// <summary><c>GET /api/dashboard</c> — the analysts' page: progress toward the targets, cases by status, the overdue list.</summary>
    [Function(nameof(GetDashboard))]
    [AllowAnonymousAccess]
    public static IResult GetDashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard")] HttpRequest request) =>
        Dashboard.Value.Serve(Context(request));

    /// <summary><c>GET /api/portal</c> — the suppliers' page: their cases, plan submission, the plan's PDF, review decisions.</summary>
    [Function(nameof(GetPortal))]
    [AllowAnonymousAccess]
    public static IResult GetPortal([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "portal")] HttpRequest request) =>
        Portal.Value.Serve(Context(request));

    /// <summary><c>GET /api/workbench</c> — the staff page: cases filtered and paged, plans with their PDFs, reviews, supplier keys.</summary>
    [Function(nameof(GetWorkbench))]
    [AllowAnonymousAccess]
    public static IResult GetWorkbench([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workbench")] HttpRequest request) =>
        Workbench.Value.Serve(Context(request));

    private static HttpContext Context(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext;
    }
}
