using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Benchmark;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Benchmark of the supplier sync: one registry size per process (so peak memory is that size's),
// its own Azurite and public data simulator, the production services wired as the function app wires
// them, and the sync-batches queue drained as the Functions host drains it.
//   dotnet tools/Benchmark/bin/Release/net10.0/Benchmark.dll --entities 10000 [--root <repo>]
if (args is ["--case-listing", ..]) { return await CaseListingBenchmark.RunAsync(args[1..]); }

// The local Functions host's benchmark is its own mode: Benchmark.dll host [...] (HostBenchmark.cs).
if (args is ["host", .. var hostArgs])
{
    return await HostBenchmark.RunAsync(hostArgs);
}

var options = BenchmarkArgs.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Benchmark --entities N [--root <repo root>] [--simulator <PublicDataSimulator.dll>] [--timeout-minutes 30]");
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(options.TimeoutMinutes));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

try
{
    var result = await new SyncBenchmark(options).RunAsync(cts.Token);
    Console.WriteLine(result);
    return 0;
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine($"N={options.Entities}: stopped (timeout of {options.TimeoutMinutes} min, or Ctrl+C)");
    return 1;
}

namespace Benchmark
{
    /// <summary>Command line.</summary>
    internal sealed record BenchmarkArgs(int Entities, string Root, string SimulatorDll, int TimeoutMinutes)
    {
        public static BenchmarkArgs? Parse(string[] args)
        {
            int? entities = null;
            string? root = null, simulator = null;
            var timeout = 30;
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                switch (args[i])
                {
                    case "--entities": entities = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    case "--root": root = args[i + 1]; break;
                    case "--simulator": simulator = args[i + 1]; break;
                    case "--timeout-minutes": timeout = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    default: return null;
                }
            }

            if (entities is not > 0 || args.Length % 2 != 0)
            {
                return null;
            }

            root ??= FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory)
                ?? throw new InvalidOperationException("cannot find the repository root (DisclosurePipeline.sln); pass --root");
            simulator ??= Path.Combine(root, "tools", "PublicDataSimulator", "bin", "Release", "net10.0", "PublicDataSimulator.dll");
            return new BenchmarkArgs(entities.Value, root, simulator, timeout);
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
    }

    /// <summary>One benchmark: start Azurite and the simulator, import, full sync, unchanged re-sync.</summary>
    internal sealed class SyncBenchmark(BenchmarkArgs args)
    {
        private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        private const string ApiKey = "bench-key";
        private const string Seed = "42";

        private readonly int n = args.Entities;

        public async Task<string> RunAsync(CancellationToken cancellationToken)
        {
            var queueSettings = HostQueueSettings.Load(Path.Combine(args.Root, "host.json"));
            Say($"N={n}: load average {ProcStatus.LoadAverage()}, {Environment.ProcessorCount} cores; host.json queues: batchSize {queueSettings.BatchSize} + newBatchThreshold {queueSettings.NewBatchThreshold} = {queueSettings.Concurrency} batches at once");

            int blobPort = FreePort.Next(), queuePort = FreePort.Next(), tablePort = FreePort.Next(), simPort = FreePort.Next();
            var location = Path.Combine(Path.GetTempPath(), "azurite-bench-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(location);
            await using var azurite = ChildProcess.Start(
                "azurite",
                Path.Combine(args.Root, "tools", "azurite", "node_modules", ".bin", "azurite"),
                [
                    "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--location", location,
                    "--blobPort", FreePort.Text(blobPort), "--queuePort", FreePort.Text(queuePort), "--tablePort", FreePort.Text(tablePort),
                ],
                location);
            await using var simulator = ChildProcess.Start(
                "simulator",
                "dotnet",
                [args.SimulatorDll, "--port", FreePort.Text(simPort), "--entities", n.ToString(CultureInfo.InvariantCulture), "--seed", Seed, "--api-key", ApiKey]);
            foreach (var port in new[] { blobPort, queuePort, tablePort })
            {
                await azurite.WaitForPortAsync(port, TimeSpan.FromSeconds(60), cancellationToken);
            }

            await simulator.WaitForPortAsync(simPort, TimeSpan.FromSeconds(60), cancellationToken);
            Say($"  azurite pid {azurite.Id} (disk mode, {location}), simulator pid {simulator.Id} on port {simPort}");

            var connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
                + $";BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1"
                + $";QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1"
                + $";TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
            var simBase = new Uri($"http://127.0.0.1:{simPort}/");
            var counter = new StorageCounter(tablePort, queuePort);
            await using var services = Wire(connectionString, simBase, counter);
            using var sim = new HttpClient { BaseAddress = simBase };
            using var latency = new HttpLatency();
            var ports = new Ports(tablePort, queuePort, simPort);

            using (StorageCounter.As(Origin.Setup))
            {
                await services.GetRequiredService<IStorageInitializer>().EnsureCreatedAsync(cancellationToken);
            }

            // 1. Registry import through RegistryImport (what PUT /api/suppliers runs).
            var download = Stopwatch.StartNew();
            using var csv = new MemoryStream(await sim.GetByteArrayAsync($"sim/registry.csv?count={n}", cancellationToken));
            download.Stop();
            var importMeter = Meter.Start(counter, latency, azurite, simulator);
            RegistryImportResult imported;
            using (StorageCounter.As(Origin.Import))
            {
                imported = await services.GetRequiredService<RegistryImport>().ImportAsync(csv, cancellationToken);
            }

            var import = importMeter.Stop();
            Say($"  import: {Seconds(import.Wall)} ({n / import.Wall.TotalSeconds:F0} rows/s; CSV of {csv.Length / 1024} KiB downloaded in {Seconds(download.Elapsed)}): "
                + $"{imported.Created} created, {imported.Updated} updated, {imported.Unchanged} unchanged, {imported.Rejected.Count} rejected; "
                + $"{import.Storage.Total} storage requests ({import.Storage.TableReads} reads, {import.Storage.TableWriteRequests} writes of {import.Storage.Rows(StorageNames.EntitiesTable)} rows)");

            // The raw baseline: the same number of rows written in 100-row transactions at the sync's parallelism.
            (TimeSpan Wall, double RowsPerSecond) raw;
            using (StorageCounter.As(Origin.Setup))
            {
                raw = await RawBaseline.RunAsync(services.GetRequiredService<TableServiceClient>(), n, queueSettings.Concurrency, cancellationToken);
            }

            Say($"  raw baseline: {n} rows in 100-row transactions, {queueSettings.Concurrency} at a time: {Seconds(raw.Wall)} ({raw.RowsPerSecond:F0} rows/s)");

            // 2. Full sync, 3. unchanged re-sync: the same way, one after the other.
            var full = await SyncAsync("full sync", services, queueSettings, counter, latency, sim, azurite, simulator, ports, cancellationToken);
            var again = await SyncAsync("re-sync", services, queueSettings, counter, latency, sim, azurite, simulator, ports, cancellationToken);

            var entityCaseWrites = again.Phase.Storage.Rows(StorageNames.EntitiesTable) + again.Phase.Storage.Rows(StorageNames.CasesTable);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"N={n} import: {Seconds(import.Wall)} | raw {raw.RowsPerSecond:F0} rows/s | full sync: {Seconds(full.Phase.Wall)}, {n / full.Phase.Wall.TotalSeconds:F0} entities/s, ratio {n / full.Phase.Wall.TotalSeconds / raw.RowsPerSecond:F2}, "
                + $"{(double)full.Phase.Storage.Total / n:F2} storage ops/entity, {full.ApiRequests} API requests, peak {Mb(full.Phase.PeakWorkingSet)} MB"
                + $" | re-sync: {Seconds(again.Phase.Wall)}, {n / again.Phase.Wall.TotalSeconds:F0} entities/s, {(double)again.Phase.Storage.Total / n:F3} ops/entity ({(double)again.Phase.Storage.App / n:F3} by the app, host receive/delete apart), "
                + $"entity/case writes {entityCaseWrites}{(entityCaseWrites == 0 ? "" : " (EXPECTED 0)")} | load {ProcStatus.LoadAverage()}");
        }

        private async Task<SyncOutcome> SyncAsync(
            string label,
            ServiceProvider services,
            HostQueueSettings queueSettings,
            StorageCounter counter,
            HttpLatency latency,
            HttpClient sim,
            ChildProcess azurite,
            ChildProcess simulator,
            Ports ports,
            CancellationToken cancellationToken)
        {
            (await sim.PostAsync("sim/stats/reset", null, cancellationToken)).EnsureSuccessStatusCode();
            QueueClient queue;
            using (StorageCounter.As(Origin.Setup))
            {
                queue = await services.GetRequiredService<StorageAccount>().GetQueueAsync(StorageNames.SyncBatchesQueue, cancellationToken);
            }

            var meter = Meter.Start(counter, latency, azurite, simulator);
            SyncRun run;
            using (StorageCounter.As(Origin.Scheduler))
            {
                run = await services.GetRequiredService<SyncScheduler>().StartFullRunAsync(cancellationToken);
            }

            var scheduled = meter.Clock.Elapsed;
            var drainer = new QueueDrainer(queue, services.GetRequiredService<SyncBatchProcessor>(), services.GetRequiredService<ISyncRunStore>(), queueSettings);
            Say($"  {label}: run {run.RunId}: {run.EntitiesTotal} entities in {run.BatchesTotal} batches, scheduled in {Seconds(scheduled)}");

            using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var progress = ReportProgressAsync(label, drainer, run.BatchesTotal, meter.Clock, progressStop.Token);
            DrainResult drained;
            try
            {
                drained = await drainer.DrainAsync(run.RunId, meter.Clock, cancellationToken);
            }
            finally
            {
                await progressStop.CancelAsync();
                await progress;
            }

            var phase = meter.Stop(drained.LastBatchFinishedAt);
            var stats = await sim.GetFromJsonAsync<JsonElement>("sim/stats", cancellationToken);
            var apiRequests = stats.GetProperty("requests").GetInt32();
            var outcome = new SyncOutcome(phase, apiRequests, drained);
            Report(label, outcome, ports);
            return outcome;
        }

        private static async Task ReportProgressAsync(string label, QueueDrainer drainer, int total, Stopwatch clock, CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    var failures = drainer.Failures;
                    Say($"    {label}: {drainer.Processed}/{total} batches, {Seconds(clock.Elapsed)}{(failures > 0 ? $", {failures} failed deliveries" : "")}, load {ProcStatus.LoadAverage()}");
                }
            }
            catch (OperationCanceledException)
            {
                // Done.
            }
        }

        private void Report(string label, SyncOutcome o, Ports ports)
        {
            var p = o.Phase;
            var s = p.Storage;
            var d = o.Drained;
            var sorted = d.BatchSeconds.Order().ToArray();
            double Pct(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
            Say($"  {label}: run {d.Run.Status.ToString().ToLowerInvariant()} in {Seconds(p.Wall)}: {d.Run.EntitiesSynced} synced, {d.Run.EntitiesFailed} failed; "
                + $"{n / p.Wall.TotalSeconds:F0} entities/s; {d.BatchesProcessed} batches processed ({d.BatchFailures} failed deliveries), "
                + $"batch time p50 {Pct(0.5):F2} s, p95 {Pct(0.95):F2} s, max {(sorted.Length == 0 ? 0 : sorted[^1]):F2} s");
            Say($"    outcome: {d.EntitiesWritten} entities written, {d.CasesOpened} cases opened, {d.CasesUpdated} cases updated");
            Say($"    storage: {s.Total} requests = {(double)s.Total / n:F3} per entity; by the app (scheduler + processor) {s.App} = {(double)s.App / n:F3} per entity, by the host (receive, delete) {s.Total - s.App}");
            foreach (var origin in new[] { Origin.Scheduler, Origin.Processor, Origin.Host, Origin.Other })
            {
                var kinds = s.Requests.Where(r => r.Key.Origin == origin && r.Value > 0).OrderBy(r => r.Key.Kind, StringComparer.Ordinal).ToList();
                if (kinds.Count > 0)
                {
                    Say($"      {origin.ToString().ToLowerInvariant(),-9}: " + string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key.Kind}")));
                }
            }

            var rows = s.RowWrites.Where(r => r.Key.Origin is not (Origin.Monitor or Origin.Setup) && r.Value > 0)
                .GroupBy(r => r.Key.Table, StringComparer.Ordinal)
                .Select(g => $"{g.Key} {g.Sum(r => r.Value)}")
                .ToList();
            Say($"    table rows written: {(rows.Count == 0 ? "none" : string.Join(", ", rows))}"
                + $"  [entity/case rows: {s.Rows(StorageNames.EntitiesTable) + s.Rows(StorageNames.CasesTable)}; bookkeeping: SyncRuns {s.Rows(StorageNames.SyncRunsTable)} rows, {s.Count(QueueKinds.Enqueue)} batch messages enqueued, {s.Count(QueueKinds.Delete)} deleted]");
            Say("    table requests (count, mean, total time across concurrent calls): " + string.Join("; ", s.TableTimes
                .Where(t => t.Value.Count > 0)
                .OrderByDescending(t => t.Value.Seconds)
                .Select(t => $"{t.Key} {t.Value.Count} x {t.Value.Seconds * 1000 / t.Value.Count:F0} ms = {t.Value.Seconds:F1} s")));
            var failed = s.Failures.Where(f => f.Value > 0).Select(f => $"{f.Value} {f.Key}").ToList();
            Say($"    storage responses not 2xx (every attempt counted): {(failed.Count == 0 ? "none" : string.Join(", ", failed))}");
            Say($"    public data API: {o.ApiRequests} requests ({(double)o.ApiRequests / Math.Max(1, d.BatchesProcessed):F1} per batch)");
            Say($"    latency (client side, mean): table {p.MeanLatencyMs(ports.Table):F1} ms x {p.LatencyCount(ports.Table)}, queue {p.MeanLatencyMs(ports.Queue):F1} ms x {p.LatencyCount(ports.Queue)}, "
                + $"API {p.MeanLatencyMs(ports.Simulator):F1} ms x {p.LatencyCount(ports.Simulator)}");
            Say($"    cpu: benchmark {p.SelfCpu.TotalSeconds:F1} s, azurite {p.AzuriteCpu.TotalSeconds:F1} s, simulator {p.SimulatorCpu.TotalSeconds:F1} s "
                + $"(of {p.Wall.TotalSeconds * Environment.ProcessorCount:F1} core-seconds); "
                + $"memory: benchmark peak working set {Mb(p.PeakWorkingSet)} MB, {Mb(p.Allocated)} MB allocated, azurite peak RSS {Mb(p.AzuriteRss)} MB");
        }

        private static ServiceProvider Wire(string connectionString, Uri simulator, StorageCounter counter)
        {
            // As functions/FunctionApp.cs: settings, TimeProvider.System, storage, registry import,
            // the public data client (typed HttpClient + resilience), scheduler and processor.
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["PublicData:BaseUrl"] = simulator.AbsoluteUri,
                    ["PublicData:ApiKey"] = ApiKey,
                    ["AzureWebJobsStorage"] = connectionString,
                })
                .Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
            services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section)).ValidateDataAnnotations();
            services.AddOptions<TargetsOptions>().Bind(configuration.GetSection(TargetsOptions.Section)).ValidateDataAnnotations();
            services.AddSingleton(TimeProvider.System);
            services.AddPipelineStorage(configuration);

            // Every attempt of every storage client goes through the counter.
            services.AddAzureClients(clients => clients.ConfigureDefaults(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry)));
            services.AddSingleton<RegistryImport>();
            services.AddPublicDataClient(configuration);
            services.AddSingleton<SyncScheduler>();
            services.AddSingleton<SyncBatchProcessor>();
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

            // What ValidateOnStart does in the app.
            _ = provider.GetRequiredService<IOptions<PipelineOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<TargetsOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<PublicDataOptions>>().Value;
            return provider;
        }

        private static void Say(string line) => Console.WriteLine(line);

        private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

        private static long Mb(long bytes) => bytes / (1024 * 1024);
    }

    /// <summary>Ports by service.</summary>
    internal sealed record Ports(int Table, int Queue, int Simulator);

    /// <summary>One sync's figures.</summary>
    internal sealed record SyncOutcome(PhaseFigures Phase, int ApiRequests, DrainResult Drained);

    /// <summary>What one phase cost.</summary>
    internal sealed record PhaseFigures(
        TimeSpan Wall,
        StorageCounts Storage,
        IReadOnlyDictionary<int, (long Count, double Seconds)> Latency,
        TimeSpan SelfCpu,
        TimeSpan AzuriteCpu,
        TimeSpan SimulatorCpu,
        long PeakWorkingSet,
        long Allocated,
        long AzuriteRss)
    {
        public long LatencyCount(int port) => Latency.TryGetValue(port, out var l) ? l.Count : 0;

        public double MeanLatencyMs(int port) => Latency.TryGetValue(port, out var l) && l.Count > 0 ? l.Seconds * 1000 / l.Count : 0;
    }

    /// <summary>Snapshots taken at the start of a phase; <see cref="Stop"/> returns the differences.</summary>
    internal sealed class Meter
    {
        private StorageCounter counter = null!;
        private HttpLatency latency = null!;
        private ChildProcess azurite = null!;
        private ChildProcess simulator = null!;
        private StorageCounts storage = null!;
        private IReadOnlyDictionary<int, (long Count, double Seconds)> latencies = null!;
        private TimeSpan selfCpu, azuriteCpu, simulatorCpu;
        private long allocated;

        public Stopwatch Clock { get; } = new();

        public static Meter Start(StorageCounter counter, HttpLatency latency, ChildProcess azurite, ChildProcess simulator)
        {
            var m = new Meter { counter = counter, latency = latency, azurite = azurite, simulator = simulator };
            m.storage = counter.Snapshot();
            m.latencies = latency.Snapshot();
            using var self = Process.GetCurrentProcess();
            m.selfCpu = self.TotalProcessorTime;
            m.azuriteCpu = azurite.CpuTime;
            m.simulatorCpu = simulator.CpuTime;
            m.allocated = GC.GetTotalAllocatedBytes(precise: false);
            m.Clock.Start();
            return m;
        }

        /// <summary>Stops; the wall time is <paramref name="wall"/> when given (when the work actually ended).</summary>
        public PhaseFigures Stop(TimeSpan? wall = null)
        {
            Clock.Stop();
            using var self = Process.GetCurrentProcess();
            var latencyNow = latency.Snapshot();
            return new PhaseFigures(
                wall is { } w && w > TimeSpan.Zero ? w : Clock.Elapsed,
                counter.Snapshot().Minus(storage),
                latencyNow.ToDictionary(p => p.Key, p =>
                {
                    var before = latencies.TryGetValue(p.Key, out var b) ? b : (0, 0);
                    return (p.Value.Count - before.Item1, p.Value.Seconds - before.Item2);
                }),
                self.TotalProcessorTime - selfCpu,
                azurite.CpuTime - azuriteCpu,
                simulator.CpuTime - simulatorCpu,
                self.PeakWorkingSet64,
                GC.GetTotalAllocatedBytes(precise: false) - allocated,
                azurite.PeakResidentBytes);
        }
    }
}
