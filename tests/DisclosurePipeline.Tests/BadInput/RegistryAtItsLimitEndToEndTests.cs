using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// The registry import at its 5 MB limit, end to end: 100,000 valid rows in exactly 5 MB are all created and their sync
/// is queued; one byte more is 413. A stack of its own, with the sync's queue function and the timers off: the
/// 1,000 queued batches stay in <c>sync-batches</c> (where they are counted) instead of syncing 100,000 entities under
/// the other tests' feet.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class RegistryAtItsLimitEndToEndTests
{
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = new Dictionary<string, string?> { ["AzureWebJobs__SyncSupplierBatch__Disabled"] = "true" };
        stack = await PipelineStack.StartAsync(1, settings, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(600000, CooperativeCancellation = true)]
    public async Task Registry_FiveMegabytesOfOneHundredThousandRows_IsImportedAndOneByteMoreIsRefused()
    {
        var ct = TestContext.CancellationToken;
        var csv = RegistryOf(100_000, 5 * 1024 * 1024);
        Assert.HasCount(5 * 1024 * 1024, csv);
        using (var over = await stack.Staff.PutAsync("api/suppliers", Csv([.. csv, (byte)'\n']), ct))
        {
            Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        }

        // 100,000 new entities take a while on a loaded machine: a client that waits for them.
        using var staff = stack.ClientFrom(IPAddress.Loopback, PipelineStack.StaffKey);
        staff.Timeout = TimeSpan.FromMinutes(8);
        using var imported = await staff.PutAsync("api/suppliers", Csv(csv), ct);
        var body = await imported.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, imported.StatusCode, body);
        var result = JsonNode.Parse(body)!;
        Assert.AreEqual(100_000, (int)result["created"]!, body.Length > 300 ? body[..300] : body);
        Assert.AreEqual(0, (int)result["rejectedTotal"]!);
        Assert.AreEqual(100_000, (int)result["syncQueued"]!);

        var queue = new QueueClient(stack.StorageConnectionString, StorageNames.SyncBatchesQueue);
        var properties = await queue.GetPropertiesAsync(ct);
        Assert.IsGreaterThanOrEqualTo(1000, properties.Value.ApproximateMessagesCount, "at most 100 ids per batch message");
    }

    private static ByteArrayContent Csv(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    /// <summary>A registry of <paramref name="rows"/> valid rows, padded in the names to exactly <paramref name="bytes"/> bytes.</summary>
    private static byte[] RegistryOf(int rows, int bytes)
    {
        const string Header = "id,name,kind\n";
        var lines = Enumerable.Range(0, rows).Select(n => TestIds.Uscc(n, "9133010000") + ",n,supplier\n").ToList();
        var pad = bytes - Header.Length - lines.Sum(l => l.Length);
        var text = new StringBuilder(Header);
        for (var i = 0; i < rows; i++)
        {
            var extra = pad / rows + (i < pad % rows ? 1 : 0);
            text.Append(lines[i].Replace(",n,", "," + new string('n', 1 + extra) + ",", StringComparison.Ordinal));
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
