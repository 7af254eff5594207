using System.Diagnostics;
using System.Globalization;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmark;

/// <summary>
/// The case listing's cost against registry size: two Azurites side by side, one holding a small registry and one a
/// large one, each with the same number of cases (spread over entities across the registry). The first page of
/// overdue cases (what <c>GET /api/violations?status=overdue&amp;sort=planDueOn&amp;limit=50</c> runs) is timed
/// through the production <see cref="CaseService"/>, alternating between the two so machine noise hits both.
///   dotnet tools/Benchmark/bin/Release/net10.0/Benchmark.dll --case-listing [--small 1000] [--large 100000] [--cases 1400] [--rounds 7]
/// </summary>
internal static class CaseListingBenchmark
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int CasesPerEntity = 3;
    private const int PageSize = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        int small = 1000, large = 100_000, caseCount = 1400, rounds = 7;
        string? root = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--small": small = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--large": large = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--cases": caseCount = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--root": root = value; break;
                default:
                    Console.Error.WriteLine("usage: Benchmark --case-listing [--small 1000] [--large 100000] [--cases 1400] [--rounds 7] [--root <repo>]");
                    return 2;
            }
        }

        root ??= FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("cannot find the repository root (DisclosurePipeline.sln); pass --root");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = cts.Token;
        Say($"case listing: registries of {small:N0} and {large:N0} entities, {caseCount:N0} cases each ({CasesPerEntity} per entity), load average {ProcStatus.LoadAverage()}");

        await using var smallStore = await Store.StartAsync(root, small, caseCount, ct);
        await using var largeStore = await Store.StartAsync(root, large, caseCount, ct);

        var query = new CaseQuery(CaseStatus.Overdue, null, null, null, null, CaseSort.DueEarliestFirst, PageSize, null);
        await smallStore.FirstPageAsync(query, ct);
        await largeStore.FirstPageAsync(query, ct);
        var smallTimes = new List<double>();
        var largeTimes = new List<double>();
        var returned = 0;
        for (var round = 0; round < rounds; round++)
        {
            var (ms, count) = await smallStore.FirstPageAsync(query, ct);
            smallTimes.Add(ms);
            (ms, count) = await largeStore.FirstPageAsync(query, ct);
            largeTimes.Add(ms);
            returned = count;
        }

        var registryScan = await largeStore.RegistryScanAsync(ct);
        var smallMedian = Median(smallTimes);
        var largeMedian = Median(largeTimes);
        Say($"  N={small}: first page {smallMedian:F0} ms (median of {rounds}; {string.Join(", ", smallTimes.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))})");
        Say($"  N={large}: first page {largeMedian:F0} ms (median of {rounds}; {string.Join(", ", largeTimes.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}); {returned} cases on the page");
        Say($"  for comparison, listing the whole {large:N0}-entity registry once (what the listing used to do to join names): {registryScan:F0} ms");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"case listing (overdue, first page of {PageSize}): N={small} {smallMedian:F0} ms | N={large} {largeMedian:F0} ms | ratio {largeMedian / smallMedian:F2} | registry scan at N={large}: {registryScan:F0} ms | load {ProcStatus.LoadAverage()}"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DisclosurePipeline.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static void Say(string line) => Console.WriteLine(line);

    /// <summary>One Azurite with a seeded registry and cases, and the services the function app wires over it.</summary>
    private sealed class Store : IAsyncDisposable
    {
        private readonly ChildProcess azurite;
        private readonly ServiceProvider services;

        private Store(ChildProcess azurite, ServiceProvider services)
        {
            this.azurite = azurite;
            this.services = services;
        }

        public static async Task<Store> StartAsync(string root, int entities, int caseCount, CancellationToken ct)
        {
            int blobPort = FreePort.Next(), queuePort = FreePort.Next(), tablePort = FreePort.Next();
            var location = Path.Combine(Path.GetTempPath(), "azurite-cases-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(location);
            var azurite = ChildProcess.Start(
                "azurite",
                Path.Combine(root, "tools", "azurite", "node_modules", ".bin", "azurite"),
                [
                    "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--location", location,
                    "--blobPort", FreePort.Text(blobPort), "--queuePort", FreePort.Text(queuePort), "--tablePort", FreePort.Text(tablePort),
                ],
                location);
            foreach (var port in new[] { blobPort, queuePort, tablePort })
            {
                await azurite.WaitForPortAsync(port, TimeSpan.FromSeconds(60), ct);
            }

            var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
                + $";BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1"
                + $";QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1"
                + $";TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
            var store = new Store(azurite, Wire(connection));
            await store.SeedAsync(entities, caseCount, ct);
            return store;
        }

        public async Task<(double Milliseconds, int Count)> FirstPageAsync(CaseQuery query, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var page = await services.GetRequiredService<CaseService>().ListPageAsync(query, ct);
            return (clock.Elapsed.TotalMilliseconds, page.Items.Count);
        }

        public async Task<double> RegistryScanAsync(CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            _ = await services.GetRequiredService<IEntityStore>().ListAsync(ct);
            return clock.Elapsed.TotalMilliseconds;
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await azurite.DisposeAsync();
        }

        private static ServiceProvider Wire(string connectionString)
        {
            // As functions/FunctionApp.cs: settings, TimeProvider.System, storage and the case services.
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
            services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section)).ValidateDataAnnotations();
            services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section));
            services.AddSingleton(TimeProvider.System);
            services.AddPipelineStorage(connectionString);
            services.AddCaseServices();
            return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        }

        /// <summary>
        /// <paramref name="entities"/> registered entities, and <paramref name="caseCount"/> cases on entities spread
        /// evenly over the registry, published over the last 60 days (so about two thirds are past their deadline).
        /// </summary>
        private async Task SeedAsync(int entities, int caseCount, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            await services.GetRequiredService<IStorageInitializer>().EnsureCreatedAsync(ct);
            var registry = Enumerable.Range(0, entities).Select(i => new RegisteredEntity(Id(i), $"基准企业{i:D6}有限公司", EntityKind.Supplier, 1, null, null)).ToList();
            var store = services.GetRequiredService<IEntityStore>();
            foreach (var chunk in registry.Chunk(10_000))
            {
                await store.SaveRegistryFieldsAsync(chunk, ct);
            }

            var now = DateTimeOffset.UtcNow;
            var withCases = (caseCount + CasesPerEntity - 1) / CasesPerEntity;
            var stride = Math.Max(1, entities / withCases);
            var opened = new List<ViolationCase>();
            for (var n = 0; n < caseCount; n++)
            {
                var owner = registry[(n / CasesPerEntity * stride) % entities].Id;
                var published = now.AddHours(-(n * 60.0 * 24 / caseCount));
                var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(published, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
                opened.Add(new ViolationCase(owner, $"BM-BENCH-{n:D7}")
                {
                    Authority = "基准市生态环境局",
                    Category = "water",
                    Summary = "基准违规记录",
                    PublishedAt = published,
                    PlanDueOn = local.AddDays(10),
                    OpenedAt = published,
                });
            }

            var cases = services.GetRequiredService<ICaseStore>();
            foreach (var shard in opened.GroupBy(c => Uscc.Shard(c.SupplierId), StringComparer.Ordinal))
            {
                await cases.ApplySyncAsync([.. shard], [], ct);
            }

            Say($"  seeded {entities:N0} entities and {caseCount:N0} cases (on {withCases:N0} entities) in {clock.Elapsed.TotalSeconds:F1} s, azurite pid {azurite.Id}");
        }

        /// <summary>A valid, distinct USCC for the i-th benchmark entity.</summary>
        private static string Id(int i)
        {
            var digits = new char[7];
            var v = i;
            for (var k = digits.Length - 1; k >= 0; k--)
            {
                digits[k] = Uscc.Alphabet[v % 31];
                v /= 31;
            }

            var first17 = "91330100MA" + new string(digits);
            return first17 + Uscc.CheckCharacter(first17);
        }
    }
}
