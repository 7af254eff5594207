extern alias FunctionsHostTool;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using FunctionsHostTool::FunctionsHost;
using FunctionsHostTool::FunctionsHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmark;

/// <summary>
/// The local Functions host benchmark (<c>Benchmark host ...</c>): worker cold start, host→worker
/// invocations/s over gRPC, queue throughput under the host vs a plain receive+delete loop, and
/// HTTP latency through the host vs straight to the worker's Kestrel. Side by side in one run.
/// </summary>
internal static partial class HostBenchmark
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = HostBenchmarkArgs.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(HostBenchmarkArgs.Usage);
            return 2;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(options.TimeoutMinutes));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        var ct = cts.Token;
        var summary = new List<string>();
        Say($"host benchmark: app {options.App}; load average {ProcStatus.LoadAverage()}, {Environment.ProcessorCount} cores");

        int blobPort = FreePort.Next(), queuePort = FreePort.Next(), tablePort = FreePort.Next();
        var location = Path.Combine(Path.GetTempPath(), "azurite-hostbench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        await using var azurite = ChildProcess.Start(
            "azurite",
            Path.Combine(options.Root, "tools", "azurite", "node_modules", ".bin", "azurite"),
            [
                "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--location", location,
                "--blobPort", FreePort.Text(blobPort), "--queuePort", FreePort.Text(queuePort), "--tablePort", FreePort.Text(tablePort),
            ],
            location);
        foreach (var port in new[] { blobPort, queuePort, tablePort })
        {
            await azurite.WaitForPortAsync(port, TimeSpan.FromSeconds(60), ct);
        }

        var storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
            + $";BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
        var values = options.SettingsValues();
        values.TryAdd("AzureWebJobsStorage", storage);
        var noopQueue = "bench-noop-" + Guid.NewGuid().ToString("N")[..8];
        values["NoopQueue"] = noopQueue;
        foreach (var (name, value) in values)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        var settings = new AppSettings(name => values.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable(name));
        var app = AppDefinition.Load(options.App, settings);

        // 1. Cold start: worker process start to all functions loaded, through the host's own start-up code.
        var coldStarts = new List<double>();
        for (var i = 0; i < options.ColdStarts; i++)
        {
            await using var host = await InProcessHost.StartAsync(app, settings, ct);
            coldStarts.Add(host.ReadyAfter.TotalMilliseconds);
        }

        summary.Add($"cold start, worker process start -> all functions loaded ({options.ColdStarts} x): {string.Join(" / ", coldStarts.Select(Ms))} ms, median {Ms(Median(coldStarts))} ms");
        Say(summary[^1]);

        await using var inProcess = await InProcessHost.StartAsync(app, settings, ct);

        // 2. Host -> worker invocations over gRPC, no storage in the loop.
        if (inProcess.Registry.Find(options.NoopFunction) is { } noop)
        {
            summary.Add(await InvocationsAsync(inProcess, noop, options.Invocations, 1, ct));
            Say(summary[^1]);
            summary.Add(await InvocationsAsync(inProcess, noop, options.Invocations, 8, ct));
            Say(summary[^1]);
        }
        else
        {
            Say($"(no function '{options.NoopFunction}': invocations/s skipped)");
        }

        // 3 and 4 run the host as its real process.
        var folder = Path.Combine(Path.GetTempPath(), "hostbench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settingsPath = Path.Combine(folder, "local.settings.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }), ct);
        var encoding = app.Queues.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None;

        if (options.Messages > 0 && inProcess.Registry.Find(options.NoopFunction) is { Trigger: QueueTrigger })
        {
            var plainA = await PlainDrainAsync(storage, encoding, app.Queues, options.Messages, azurite, ct);
            var hosted = await HostDrainAsync(options, settingsPath, storage, encoding, noopQueue, azurite, ct);
            var plainB = await PlainDrainAsync(storage, encoding, app.Queues, options.Messages, azurite, ct);
            var warm = QueueDrain.WarmUp(options.Messages);
            var plainAll = (plainA.All + plainB.All) / 2;
            var plainSteady = (plainA.Steady + plainB.Steady) / 2;
            summary.Add($"queue: {options.Messages} messages through '{options.NoopFunction}', both sides batchSize {app.Queues.BatchSize} per receive, "
                + $"a new receive at <= {app.Queues.NewBatchThreshold} in flight (at most {app.Queues.BatchSize + app.Queues.NewBatchThreshold} messages at once)");
            summary.Add($"  steady (after the first {warm}): host {hosted.Steady:0} msg/s; plain receive+delete loop {plainA.Steady:0} and {plainB.Steady:0} msg/s; ratio {hosted.Steady / plainSteady:0.00}");
            summary.Add($"  all {options.Messages} (host warm-up included): host {hosted.All:0} msg/s; plain {plainA.All:0} and {plainB.All:0} msg/s; ratio {hosted.All / plainAll:0.00}");
            summary.Add($"  per message: host invocation (Executing -> Executed) mean {Ms(hosted.MeanStepMs)} ms; plain delete mean {Ms((plainA.MeanStepMs + plainB.MeanStepMs) / 2)} ms");
            summary.Add($"  CPU per message ({Environment.ProcessorCount} cores): host side {hosted.Cpu()}; plain {plainA.Cpu()} and {plainB.Cpu()}");
            foreach (var line in summary[^5..])
            {
                Say(line);
            }
        }

        if (options.Paths.Count > 0)
        {
            summary.AddRange(await HttpAsync(options, settingsPath, inProcess, app, ct));
        }

        // 5. The registry import's memory (the function app only: --import-key with a staff key).
        if (options.ImportKey is not null)
        {
            await using var host = await HostProcess.StartAsync(options, settingsPath, ct);
            summary.AddRange(await ImportMemory.RunAsync(new Uri($"http://127.0.0.1:{host.Port}/"), options.ImportKey, ct));
        }

        Console.WriteLine();
        Console.WriteLine("==> host benchmark summary");
        foreach (var line in summary)
        {
            Console.WriteLine(line);
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }

        return 0;
    }

    private static async Task<string> InvocationsAsync(InProcessHost host, FunctionDefinition function, int count, int concurrency, CancellationToken ct)
    {
        var input = function.Trigger switch
        {
            QueueTrigger q => new ParameterBinding { Name = q.BindingName, Data = new TypedData { String = "noop" } },
            _ => new ParameterBinding { Name = function.Trigger.BindingName, Data = new TypedData { Json = TimerListener.TimerInfo(null, false) } },
        };
        async Task<double[]> RunAsync(int n)
        {
            var latencies = new double[n];
            var next = -1;
            var failures = 0;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < n)
                {
                    var started = Stopwatch.GetTimestamp();
                    var data = QueueListener.BindingData("noop", Guid.NewGuid().ToString(), "pop", 1, DateTimeOffset.UtcNow, null, null, DateTimeOffset.UtcNow);
                    var outcome = await host.Invoker.InvokeAsync(function, "benchmark", [input], data, ct);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!outcome.Succeeded)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }));
            if (failures > 0)
            {
                throw new InvalidOperationException($"{failures} of {n} benchmark invocations failed");
            }

            return latencies;
        }

        await RunAsync(Math.Min(200, count));
        var clock = Stopwatch.StartNew();
        var measured = await RunAsync(count);
        var rate = count / clock.Elapsed.TotalSeconds;
        Array.Sort(measured);
        return $"gRPC invocations of '{function.Name}' (no storage), {concurrency} at a time: {count} in {clock.Elapsed.TotalMilliseconds:0} ms = {rate:0}/s; latency p50 {Ms(Percentile(measured, 50))} p95 {Ms(Percentile(measured, 95))} p99 {Ms(Percentile(measured, 99))} ms";
    }

    /// <summary>A plain loop with the host's batching: receive batchSize whenever at most newBatchThreshold are in flight, delete each.</summary>
    private static async Task<QueueDrain> PlainDrainAsync(string storage, QueueMessageEncoding encoding, QueuesOptions options, int count, ChildProcess azurite, CancellationToken ct)
    {
        var queue = new QueueClient(storage, "bench-plain-" + Guid.NewGuid().ToString("N")[..8], new QueueClientOptions { MessageEncoding = encoding });
        await FillAsync(queue, count, ct);
        var cpu = CpuMeter.Start(("azurite", azurite.Id), ("benchmark loop", Environment.ProcessId));
        var warm = QueueDrain.WarmUp(count);
        var inFlight = new List<Task>();
        var deleteTicks = 0L;
        var warmAt = 0L;
        var clock = Stopwatch.StartNew();
        var deleted = 0;
        while (deleted < count)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > options.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            var batch = (await queue.ReceiveMessagesAsync(options.BatchSize, TimeSpan.FromMinutes(10), ct)).Value;
            if (batch.Length == 0)
            {
                await Task.WhenAll(inFlight);
                if (deleted >= count)
                {
                    break;
                }

                await Task.Delay(QueuesOptions.MinimumPollingInterval, ct);
                continue;
            }

            foreach (var message in batch)
            {
                inFlight.Add(Task.Run(
                    async () =>
                    {
                        var started = Stopwatch.GetTimestamp();
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                        Interlocked.Add(ref deleteTicks, Stopwatch.GetTimestamp() - started);
                        if (Interlocked.Increment(ref deleted) == warm)
                        {
                            Interlocked.Exchange(ref warmAt, clock.ElapsedTicks);
                        }
                    },
                    ct));
            }
        }

        await Task.WhenAll(inFlight);
        await WaitEmptyAsync(queue, ct);
        var total = clock.Elapsed;
        var steady = total - TimeSpan.FromSeconds((double)Interlocked.Read(ref warmAt) / Stopwatch.Frequency);
        return new QueueDrain(count / total.TotalSeconds, (count - warm) / steady.TotalSeconds, (double)deleteTicks / Stopwatch.Frequency * 1000 / count)
        {
            CpuMsPerMessage = cpu.PerItem(count),
        };
    }

    private static async Task<QueueDrain> HostDrainAsync(HostBenchmarkArgs options, string settingsPath, string storage, QueueMessageEncoding encoding, string queueName, ChildProcess azurite, CancellationToken ct)
    {
        var queue = new QueueClient(storage, queueName, new QueueClientOptions { MessageEncoding = encoding });
        await FillAsync(queue, options.Messages, ct);
        await using var host = await HostProcess.StartAsync(options, settingsPath, ct);

        // CPU from the moment the host is Running (start-up and JIT before it left out) over the messages left then.
        using var status = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/") };
        var worker = (int)JsonNode.Parse(await status.GetStringAsync("admin/host/status", ct))!["workerProcessId"]!;
        var cpu = CpuMeter.Start(("azurite", azurite.Id), ("host", host.ProcessId), ("worker", worker));
        var left = (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        await WaitEmptyAsync(queue, ct);
        var perMessage = cpu.PerItem(left);
        var emptyAt = DateTimeOffset.UtcNow;
        var output = host.Output;
        var executing = Regex.Matches(output, $@"^\[([^\]]+)\] Executing 'Functions\.{Regex.Escape(options.NoopFunction)}'", RegexOptions.Multiline)
            .Select(m => DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
            .Order()
            .ToList();
        var durations = Regex.Matches(output, $@"Executed 'Functions\.{Regex.Escape(options.NoopFunction)}' \(Succeeded, Id=[^,]+, Duration=(\d+)ms\)")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();
        if (executing.Count == 0)
        {
            throw new InvalidOperationException("the host printed no Executing line for " + options.NoopFunction);
        }

        var warm = QueueDrain.WarmUp(options.Messages);
        var steadyFrom = executing[Math.Min(warm, executing.Count - 1)];
        return new QueueDrain(
            options.Messages / (emptyAt - executing[0]).TotalSeconds,
            (options.Messages - warm) / (emptyAt - steadyFrom).TotalSeconds,
            durations.Count == 0 ? double.NaN : durations.Average())
        {
            CpuMsPerMessage = perMessage,
        };
    }

    /// <summary>
    /// One drain: messages/s over all of it and over the steady part (after the first fifth: a fresh
    /// host and worker still JIT-compile their paths then), and the mean time of one step per message
    /// (the host: Executing to Executed; the plain loop: one delete).
    /// </summary>
    private sealed record QueueDrain(double All, double Steady, double MeanStepMs)
    {
        /// <summary>CPU milliseconds per message, by process.</summary>
        public IReadOnlyList<(string Process, double Ms)> CpuMsPerMessage { get; init; } = [];

        public static int WarmUp(int count) => count / 5;

        public string Cpu() => string.Join(" + ", CpuMsPerMessage.Select(c => $"{c.Process} {c.Ms:0.00}"))
            + $" = {CpuMsPerMessage.Sum(c => c.Ms):0.00} ms";
    }

    /// <summary>
    /// Each path on its own: warm-up both ways, then alternating rounds straight to the worker and through the host,
    /// so that machine noise hits both sides of one path alike. Percentiles per path and side.
    /// </summary>
    private static async Task<List<string>> HttpAsync(HostBenchmarkArgs options, string settingsPath, InProcessHost inProcess, AppDefinition app, CancellationToken ct)
    {
        const int Rounds = 3;
        var lines = new List<string> { $"HTTP GET: {options.Concurrency} keep-alive clients, {options.Requests} requests per path each way in {Rounds} alternating rounds (after {Math.Min(200, options.Requests)} warm-up each way)" };
        Say(lines[0]);
        await using var host = await HostProcess.StartAsync(options, settingsPath, ct);
        using var throughHost = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/"),
        };
        using var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        var channel = await inProcess.Workers.WhenReadyAsync(ct);

        foreach (var path in options.Paths)
        {
            var target = DirectTarget.Resolve(path.PathAndQuery, inProcess.Registry, app);

            async Task<(double Ms, bool Ok)> ViaHostAsync(int i)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target.PathAndQuery.TrimStart('/'));
                options.AddHeaders(request, path);
                var started = Stopwatch.GetTimestamp();
                using var response = await throughHost.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode);
            }

            async Task<(double Ms, bool Ok)> DirectAsync(int i)
            {
                var id = Guid.NewGuid().ToString();
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(channel.HttpUri!, target.PathAndQuery));
                options.AddHeaders(request, path);
                request.Headers.Add(HttpProxy.InvocationIdHeader, id);
                var started = Stopwatch.GetTimestamp();
                var invocation = FunctionInvoker.BuildRequest(target.Function, id,
                    [new ParameterBinding { Name = target.Function.Trigger.BindingName, Data = new TypedData { Http = new RpcHttp() } }], target.BindingData);
                var sending = direct.SendAsync(request, ct);
                var invoked = channel.InvokeAsync(invocation, inProcess.Loggers.Function(target.Function.Name), ct);
                using var response = await sending;
                await response.Content.ReadAsByteArrayAsync(ct);
                var result = await invoked;
                return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode && result.Result?.Status == StatusResult.Types.Status.Success);
            }

            await LoadAsync(ViaHostAsync, Math.Min(200, options.Requests), options.Concurrency, ct);
            await LoadAsync(DirectAsync, Math.Min(200, options.Requests), options.Concurrency, ct);
            var viaHost = new List<(double Ms, bool Ok)>();
            var straight = new List<(double Ms, bool Ok)>();
            for (var round = 0; round < Rounds; round++)
            {
                straight.AddRange(await LoadAsync(DirectAsync, options.Requests / Rounds, options.Concurrency, ct));
                viaHost.AddRange(await LoadAsync(ViaHostAsync, options.Requests / Rounds, options.Concurrency, ct));
            }

            var h = viaHost.Select(r => r.Ms).Order().ToArray();
            var d = straight.Select(r => r.Ms).Order().ToArray();
            string[] result =
            [
                $"  {path.PathAndQuery}{(path.Headers.Count > 0 ? " (with " + string.Join(", ", path.Headers.Select(x => x.Name)) + ")" : "")}:",
                $"    through the host : p50 {Ms(Percentile(h, 50))} p95 {Ms(Percentile(h, 95))} p99 {Ms(Percentile(h, 99))} ms ({viaHost.Count(r => !r.Ok)} not 2xx/failed)",
                $"    straight to the worker's Kestrel (+ its InvocationRequest): p50 {Ms(Percentile(d, 50))} p95 {Ms(Percentile(d, 95))} p99 {Ms(Percentile(d, 99))} ms ({straight.Count(r => !r.Ok)} not 2xx/failed)",
                $"    p95 ratio host/direct {Percentile(h, 95) / Percentile(d, 95):0.00}, p50 ratio {Percentile(h, 50) / Percentile(d, 50):0.00}",
            ];
            foreach (var line in result)
            {
                Say(line);
            }

            lines.AddRange(result);
        }

        return lines;
    }

    private static async Task<List<(double Ms, bool Ok)>> LoadAsync(Func<int, Task<(double Ms, bool Ok)>> send, int count, int concurrency, CancellationToken ct)
    {
        var results = new (double Ms, bool Ok)[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                ct.ThrowIfCancellationRequested();
                results[i] = await send(i);
            }
        }));
        return [.. results];
    }

    private static async Task FillAsync(QueueClient queue, int count, CancellationToken ct)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await queue.SendMessageAsync("message " + i.ToString(CultureInfo.InvariantCulture), ct);
            }
        }));
    }

    private static async Task WaitEmptyAsync(QueueClient queue, CancellationToken ct)
    {
        while ((await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(20, ct);
        }
    }

    private static double Median(List<double> values) => Percentile([.. values.Order()], 50);

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0", CultureInfo.InvariantCulture);

    private static void Say(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");

    /// <summary>The host's pieces in this process (the worker is still its own process): gRPC server, worker start-up, invoker.</summary>
    private sealed class InProcessHost : IAsyncDisposable
    {
        private readonly WebApplication web;

        private InProcessHost(WebApplication web, TimeSpan readyAfter)
        {
            this.web = web;
            ReadyAfter = readyAfter;
        }

        public TimeSpan ReadyAfter { get; }

        public FunctionRegistry Registry => web.Services.GetRequiredService<FunctionRegistry>();

        public WorkerHost Workers => web.Services.GetRequiredService<WorkerHost>();

        public FunctionInvoker Invoker => web.Services.GetRequiredService<FunctionInvoker>();

        public HostLoggers Loggers => web.Services.GetRequiredService<HostLoggers>();

        public static async Task<InProcessHost> StartAsync(AppDefinition app, AppSettings settings, CancellationToken ct)
        {
            var grpc = new GrpcEndpoint(FreePort.Next());
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, grpc.Port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = int.MaxValue;
                o.MaxSendMessageSize = int.MaxValue;
            });
            builder.Services.AddSingleton(app);
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(grpc);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<HostLoggers>();
            builder.Services.AddSingleton<WorkerChannels>();
            builder.Services.AddSingleton<FunctionRegistry>();
            builder.Services.AddSingleton<WorkerHost>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerHost>());
            builder.Services.AddSingleton<QueueOutputWriter>();
            builder.Services.AddSingleton<FunctionInvoker>();
            var web = builder.Build();
            web.MapGrpcService<FunctionRpcService>();
            var started = Stopwatch.StartNew();
            await web.StartAsync(ct);
            await web.Services.GetRequiredService<WorkerHost>().WhenReadyAsync(ct);
            return new InProcessHost(web, started.Elapsed);
        }

        public async ValueTask DisposeAsync()
        {
            await web.StopAsync();
            await web.DisposeAsync();
        }
    }

    /// <summary>The FunctionsHost program as a process, started over the app and waited for until Running.</summary>
    private sealed class HostProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly System.Text.StringBuilder output = new();

        private HostProcess(Process process, int port)
        {
            this.process = process;
            Port = port;
        }

        public int Port { get; }

        public int ProcessId => process.Id;

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public static async Task<HostProcess> StartAsync(HostBenchmarkArgs options, string settingsPath, CancellationToken ct)
        {
            var port = FreePort.Next();
            var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { options.HostDll, "--app", options.App, "--port", FreePort.Text(port), "--settings", settingsPath })
            {
                psi.ArgumentList.Add(arg);
            }

            var host = new HostProcess(Process.Start(psi) ?? throw new InvalidOperationException("could not start the host"), port);
            host.process.OutputDataReceived += (_, e) => host.Append(e.Data);
            host.process.ErrorDataReceived += (_, e) => host.Append(e.Data);
            host.process.BeginOutputReadLine();
            host.process.BeginErrorReadLine();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            while (true)
            {
                if (host.process.HasExited)
                {
                    throw new InvalidOperationException("the host exited:\n" + host.Output);
                }

                try
                {
                    if ((await client.GetStringAsync("admin/host/status", ct)).Contains("\"Running\"", StringComparison.Ordinal))
                    {
                        return host;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(50, ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }

    /// <summary>A URL path matched, once, to the function the host would route it to, with the binding data the host would send.</summary>
    private sealed record DirectTarget(string PathAndQuery, FunctionDefinition Function, Dictionary<string, object?> BindingData)
    {
        public static DirectTarget Resolve(string pathAndQuery, FunctionRegistry registry, AppDefinition app)
        {
            var uri = new Uri(new Uri("http://localhost"), pathAndQuery);
            foreach (var function in registry.Functions.Where(f => f.Trigger is HttpTrigger).OrderBy(f => ((HttpTrigger)f.Trigger).Route.Count(c => c == '{')))
            {
                var values = new RouteValueDictionary();
                var template = HttpRoutes.RouteTemplate(app.RoutePrefix, (HttpTrigger)function.Trigger);
                if (new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary()).TryMatch(uri.AbsolutePath, values))
                {
                    var query = new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query));
                    var data = FunctionsHostTool::FunctionsHost.HttpBindingData.Build(values, query, new HeaderDictionary(), null);
                    return new DirectTarget(uri.PathAndQuery, function, data);
                }
            }

            throw new InvalidOperationException($"no HTTP function of the app serves {pathAndQuery}");
        }
    }
}

/// <summary>The host benchmark's command line.</summary>
/// <summary>A path the HTTP part requests, with headers of its own (a supplier's key for <c>/api/me/...</c>).</summary>
internal sealed record HttpPath(string PathAndQuery, List<(string Name, string Value)> Headers);

internal sealed record HostBenchmarkArgs(
    string Root, string App, string HostDll, string? Settings, IReadOnlyList<HttpPath> Paths, IReadOnlyList<(string Name, string Value)> Headers,
    int Requests, int Concurrency, int Messages, int Invocations, int ColdStarts, string NoopFunction, int TimeoutMinutes)
{
    /// <summary>A staff key of the function app: measure the registry import's memory with it (<see cref="ImportMemory"/>).</summary>
    public string? ImportKey { get; init; }

    public const string Usage = "usage: Benchmark host [--app <worker output dir; default the HostFixture's>] [--settings <local.settings.json>] "
        + "[--path /api/Ping [--header 'Name: value' (this path's)]...]... [--header 'Name: value' (before any --path: every path's)]... [--requests 3000] [--concurrency 20] [--messages 1000] [--invocations 3000] "
        + "[--cold-starts 3] [--noop Noop] [--import-key <staff key of the function app>] [--root <repo>] [--timeout-minutes 20]";

    public static HostBenchmarkArgs? Parse(string[] args)
    {
        string? root = null, app = null, settings = null, noop = null, importKey = null;
        var paths = new List<HttpPath>();
        var headers = new List<(string, string)>();
        int requests = 3000, concurrency = 20, messages = 1000, invocations = 3000, coldStarts = 3, timeout = 20;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--root": root = value; break;
                case "--app": app = value; break;
                case "--settings": settings = value; break;
                case "--path": paths.Add(new HttpPath(value, [])); break;
                case "--header" when value.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon:
                    // After a --path: that path's header; before any: every path's.
                    (paths.Count > 0 ? paths[^1].Headers : headers).Add((value[..colon].Trim(), value[(colon + 1)..].Trim()));
                    break;
                case "--requests": requests = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--messages": messages = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--invocations": invocations = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--cold-starts": coldStarts = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--noop": noop = value; break;
                case "--import-key": importKey = value; break;
                case "--timeout-minutes": timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: return null;
            }
        }

        if (args.Length % 2 != 0 || concurrency < 1 || requests < concurrency || coldStarts < 1)
        {
            return null;
        }

        root ??= Find(AppContext.BaseDirectory) ?? Find(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("cannot find the repository root (DisclosurePipeline.sln); pass --root");
        app ??= Path.Combine(root, "tests", "HostFixture", "bin", "Release", "net10.0");
        if (paths.Count == 0 && app.Contains("HostFixture", StringComparison.Ordinal))
        {
            paths.AddRange([new HttpPath("/api/Ping", []), new HttpPath("/api/items/42?tag=blue", [])]);
        }

        var hostDll = Path.Combine(root, "tools", "FunctionsHost", "bin", "Release", "net10.0", "FunctionsHost.dll");
        return new HostBenchmarkArgs(root, Path.GetFullPath(app), hostDll, settings, paths, headers, requests, concurrency, messages, invocations, coldStarts, noop ?? "Noop", timeout)
        {
            ImportKey = importKey,
        };
    }

    /// <summary>The <c>Values</c> of the settings file, plus the fixture's queue names (unique) when they are not set.</summary>
    public Dictionary<string, string> SettingsValues()
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Settings is not null)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Settings));
            if (doc.RootElement.TryGetProperty("Values", out var v))
            {
                foreach (var p in v.EnumerateObject())
                {
                    values[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
        }

        var suffix = Guid.NewGuid().ToString("N")[..8];
        foreach (var name in new[] { "WorkQueue", "TextQueue", "FanOutQueue", "FanOutOutQueue", "NoopQueue", "MultiOutQueue", "AuditQueue" })
        {
            values.TryAdd(name, name.ToLowerInvariant() + "-" + suffix);
        }

        values.TryAdd("TickSchedule", "0 0 0 1 1 *");
        return values;
    }

    public void AddHeaders(HttpRequestMessage request, HttpPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var (name, value) in Headers.Concat(path.Headers))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static string? Find(string start)
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
