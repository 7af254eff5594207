using System.Collections.Concurrent;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Tests.Progress;

/// <summary>
/// A tiny Kestrel server on a free loopback port: the real dashboard page (from the functions
/// assembly's embedded resource) at <c>/api/dashboard</c>, and stub endpoints shaped as the contract
/// says, guarded by bearer keys like the real app (401 unknown, 403 outside the role).
/// </summary>
internal sealed class DashboardStub : IAsyncDisposable
{
    public const string StaffKey = "staff-key-7f3a";
    public const string AnalystKey = "analyst-key-91c2";
    public const string SupplierKey = "supplier-key-55d0";
    public const string ResourceName = "DisclosurePipeline.Functions.Dashboard.dashboard.html";

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private readonly WebApplication app;

    private DashboardStub(WebApplication app, string baseUrl, int year, DateOnly today)
    {
        this.app = app;
        BaseUrl = baseUrl;
        Year = year;
        Today = today;
    }

    public string BaseUrl { get; }

    /// <summary>The year the stub has a rollup for: the current year in Shanghai (the page's default).</summary>
    public int Year { get; }

    /// <summary>Today in Shanghai when the stub started.</summary>
    public DateOnly Today { get; }

    /// <summary>Every /api request: path and query, and the Authorization header.</summary>
    public ConcurrentQueue<(string PathAndQuery, string? Authorization)> Requests { get; } = new();

    public ProgressReport Report { get; private set; } = null!;

    public IReadOnlyList<ProgressSnapshot> History { get; private set; } = [];

    /// <summary>The overdue cases: (name, planDueOn) with days overdue 12, 5 and 1.</summary>
    public IReadOnlyList<object> OverdueCases { get; private set; } = [];

    public static async Task<DashboardStub> StartAsync(CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, Shanghai);
        var year = local.Year;
        var today = DateOnly.FromDateTime(local.DateTime);
        var port = FreePort.Next();
        var baseUrl = $"http://127.0.0.1:{port}";

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new DashboardStub(app, baseUrl, year, today);
        stub.Seed(local);
        stub.Map();
        await app.StartAsync(cancellationToken);
        return stub;
    }

    public static byte[] PageBytes()
    {
        using var stream = typeof(DisclosurePipeline.Functions.ProgressFunctions).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Seed(DateTimeOffset localNow)
    {
        // asOf: two hours ago (still this year unless it is the first two hours of 1 January).
        var asOf = localNow.AddHours(-2);
        if (asOf.Year != Year)
        {
            asOf = new DateTimeOffset(Year, 1, 1, 0, 0, 0, localNow.Offset);
        }

        Report = new ProgressReport(
            Year,
            asOf,
            new DisclosureProgress(200, 137, 41, 96),
            new DisclosureProgress(180, 152, 60, 92),
            new ViolationProgress(12, 3, 5, 7, 20, 4, 9),
            new ProgressProjection(
                new TargetProjection(200, 137, 0.8123, new DateOnly(Year, 10, 12), true, false, false),
                new TargetProjection(180, 152, 0.1, new DateOnly(Year + 1, 2, 3), false, false, false)),
            "Asia/Shanghai");

        // A snapshot on the 1st of each month before asOf, growing steadily.
        var history = new List<ProgressSnapshot>();
        for (var month = 1; month <= 12; month++)
        {
            var at = new DateTimeOffset(Year, month, 1, 6, 0, 0, TimeSpan.FromHours(8));
            if (at < asOf)
            {
                history.Add(new ProgressSnapshot(at, 12 * (month - 1), 14 * (month - 1)));
            }
        }

        History = history;
        OverdueCases =
        [
            Case("91310000MA1FL0001X", "上海东方精细化工有限公司", "supplier", "R-2001", "上海市生态环境局", "water", "超标排放废水", 5),
            Case("91320500MA1FL0002Y", "苏州恒远电子材料厂", "supplier", "R-2002", "苏州市生态环境局", "air", "VOCs 无组织排放", 12),
            Case("91440300MA1FL0003Z", "Shenzhen Bright, \"Unit 3\" Co.", "subsidiary", "R-2003", "深圳市生态环境局", "solid_waste", "危险废物贮存不规范", 1),
        ];
    }

    private object Case(string id, string name, string kind, string recordId, string authority, string category, string summary, int daysOverdue)
    {
        var due = Today.AddDays(-daysOverdue);
        return new
        {
            supplierId = id,
            supplierName = name,
            kind,
            recordId,
            authority,
            category,
            summary,
            publishedAt = new DateTimeOffset(due.AddDays(-10).ToDateTime(new TimeOnly(9, 30)), TimeSpan.FromHours(8)),
            planDueOn = due,
            status = "overdue",
            removedAt = (DateTimeOffset?)null,
            plans = Array.Empty<object>(),
        };
    }

    private void Map()
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.ToString()));
            await next(context);
        });

        app.MapGet("/api/dashboard", () => Results.Bytes(PageBytes(), "text/html; charset=utf-8"));

        app.MapGet("/api/progress", (HttpContext http, int year) => Authorize(http, analystAllowed: true) ?? (year == Year
            ? Results.Json(Report)
            : Results.Problem(statusCode: 404, title: "Not Found", detail: $"no rollup for {year}")));

        app.MapGet("/api/progress/history", (HttpContext http, int year) => Authorize(http, analystAllowed: true)
            ?? Results.Json(new { items = year == Year ? History : [] }));

        app.MapGet("/api/violations", (HttpContext http, string? status) => Authorize(http, analystAllowed: false) ?? (status == "overdue"
            ? Results.Json(new { items = OverdueCases })
            : Results.Problem(statusCode: 400, title: "Bad Request", detail: "the stub only lists overdue cases")));
    }

    private static IResult? Authorize(HttpContext http, bool analystAllowed)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : null;
        return token switch
        {
            StaffKey => null,
            AnalystKey when analystAllowed => null,
            AnalystKey or SupplierKey => Results.Problem(statusCode: 403, title: "Forbidden"),
            _ => Results.Problem(statusCode: 401, title: "Unauthorized"),
        };
    }
}
