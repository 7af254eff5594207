using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace DisclosurePipeline.Tests.Pages;

/// <summary>
/// Debian's chromium driven by Playwright, for the pages served by the real function app. Every context refuses
/// requests outside the app's origin (the pages must need no CDN or font) and records page errors, console errors
/// and Content-Security-Policy violations, so a test can assert a page ran clean under the app's strict policy.
/// </summary>
internal sealed class PageBrowser : IAsyncDisposable
{
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', function (e) {
          window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
        });
        """;

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private PageBrowser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static async Task<PageBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        return new PageBrowser(playwright, browser);
    }

    /// <summary>A new browser context (its own sessionStorage) on <paramref name="path"/> of <paramref name="origin"/>.</summary>
    public async Task<PageSession> OpenAsync(Uri origin, string path, string locale, int width = 1280, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        var session = new PageSession(context, await context.NewPageAsync());
        var prefix = origin.GetLeftPart(UriPartial.Authority) + "/";
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(prefix, StringComparison.Ordinal) || route.Request.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                session.Foreign.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        await context.AddInitScriptAsync(RecordViolations);
        session.Page.PageError += (_, error) => session.Errors.Add(error);
        session.Page.Console += (_, message) =>
        {
            // A 4xx answer the page handles (401 for a wrong key, 400 for a bad plan) is logged as a failed resource.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                session.Errors.Add(message.Text);
            }
        };
        session.Page.Request += (_, request) => session.Urls.Add(request.Url);
        await session.Page.GotoAsync(prefix + path.TrimStart('/'));
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
    }

    private static string ChromiumPath()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (var candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("chromium is not installed: run 'bash tools/scripts/prereqs.sh --browser' (apt-get install chromium) or set CHROMIUM_PATH");
    }
}

/// <summary>One browser context with one page, and what went wrong in it.</summary>
internal sealed class PageSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public ConcurrentBag<string> Foreign { get; } = [];

    public ConcurrentBag<string> Errors { get; } = [];

    public ConcurrentBag<string> Urls { get; } = [];

    /// <summary>Fails on requests outside the origin, page or console errors, CSP violations, or a key in any URL.</summary>
    public async Task AssertCleanAsync(params string[] secrets)
    {
        Assert.IsEmpty(Foreign, "requests outside the origin: " + string.Join(", ", Foreign));
        Assert.IsEmpty(Errors, "page errors: " + string.Join(" | ", Errors));
        var violations = await Page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
        Assert.IsEmpty(violations, "Content-Security-Policy violations: " + string.Join(" | ", violations));
        foreach (var secret in secrets)
        {
            Assert.IsFalse(Urls.Any(u => u.Contains(secret, StringComparison.Ordinal)), "a key appeared in a URL");
            Assert.IsFalse(Page.Url.Contains(secret, StringComparison.Ordinal), "a key appeared in the address bar");
        }
    }

    /// <summary>Presses Tab until the focused element matches <paramref name="selector"/> (at most 80 presses).</summary>
    public async Task TabToAsync(string selector)
    {
        for (var i = 0; i < 80; i++)
        {
            if (await Page.EvaluateAsync<bool>("s => !!document.activeElement && document.activeElement.matches(s)", selector))
            {
                return;
            }

            await Page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {selector}");
    }

    /// <summary>True when the page is no wider than its viewport (nothing needs horizontal scrolling).</summary>
    public Task<bool> FitsWidthAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
