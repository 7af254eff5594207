using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>The handler process under the real host: restarted after it exits, until it fails too often.</summary>
[TestClass]
[DoNotParallelize]
public sealed class HostHandlerProcessTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["TickSchedule"] = "0 0 0 1 1 *", ["WorkQueue"] = "unused-work" };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Handler_ExitsOnce_RestartedOnAFreshPort()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), Settings, ct);
        var before = await PortAsync(host, ct);

        await CrashHandlerAsync(host, ct);
        var after = await WaitForOtherPortAsync(host, before, ct);

        Assert.AreNotEqual(before, after);
        Assert.AreEqual(after, await PortAsync(host, ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Handler_ExitsMoreThanThreeTimes_HostStopsWithNonZeroExitCode()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(await Azurite.GetAsync(ct), Settings, ct);
        var port = await PortAsync(host, ct);

        for (var restarts = 0; restarts < 3; restarts++)
        {
            await CrashHandlerAsync(host, ct);
            port = await WaitForOtherPortAsync(host, port, ct);
        }

        await CrashHandlerAsync(host, ct);

        Assert.AreNotEqual(0, await host.WaitForExitAsync(ct));
    }

    private static async Task CrashHandlerAsync(HostUnderTest host, CancellationToken ct)
    {
        using var response = await host.Http.GetAsync("api/echo/1?exit=1", ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> PortAsync(HostUnderTest host, CancellationToken ct) =>
        (await host.Http.GetFromJsonAsync<JsonObject>("api/echo/1?env=FUNCTIONS_CUSTOMHANDLER_PORT", ct))!["env"]!.GetValue<string>();

    /// <summary>Waits until a restarted handler (on another port than <paramref name="oldPort"/>) answers through the host.</summary>
    private static async Task<string> WaitForOtherPortAsync(HostUnderTest host, string oldPort, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                using var response = await host.Http.GetAsync("api/echo/1?env=FUNCTIONS_CUSTOMHANDLER_PORT", ct);
                if (response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["env"]!.GetValue<string>() is { } port
                    && port != oldPort)
                {
                    return port;
                }
            }
            catch (HttpRequestException)
            {
                // The host is between handler processes.
            }

            await Task.Delay(50, ct);
        }
    }
}
