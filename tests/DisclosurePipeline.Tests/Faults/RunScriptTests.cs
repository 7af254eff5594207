using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>
/// <c>./run.sh</c> itself (on free ports, with the build this test run made, in a state folder of its own): no key is
/// on any process's command line or in what it prints, the generated keys file is private, and when the Functions
/// host gives up on a worker that keeps crashing the script says so, stops Azurite and the simulator, and exits
/// non-zero.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class RunScriptTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task RunScript_KeepsKeysOffCommandLinesAndBanner_AndStopsEverythingWhenTheHostStops()
    {
        var ct = TestContext.CancellationToken;
        RepoPaths.EnsureFunctionAppPublished();
        var state = Directory.CreateTempSubdirectory("run-sh-test-").FullName;
        int functions = FreePort.Next(), simulatorPort = FreePort.Next(), blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
        var platformKey = "platform-" + Guid.NewGuid().ToString("N");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var arg in new[] { RepoPaths.Combine("run.sh"), "--no-demo", "--no-build" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["CONFIGURATION"] = RepoPaths.Configuration;
        psi.Environment["RUN_DIR"] = state;
        psi.Environment["FUNCTIONS_PORT"] = Port(functions);
        psi.Environment["SIMULATOR_PORT"] = Port(simulatorPort);
        psi.Environment["SIMULATOR_ENTITIES"] = "5";
        psi.Environment["AZURITE_BLOB_PORT"] = Port(blob);
        psi.Environment["AZURITE_QUEUE_PORT"] = Port(queue);
        psi.Environment["AZURITE_TABLE_PORT"] = Port(table);
        psi.Environment["PublicData__ApiKey"] = platformKey;
        foreach (var inherited in new[] { "AzureWebJobsStorage", "PublicData__BaseUrl", "Auth__StaffKeys__0", "Auth__AnalystKeys__0", "AZURITE_LOCATION" })
        {
            psi.Environment.Remove(inherited);
        }

        var output = new ConcurrentQueue<string>();
        using var script = Process.Start(psi)!;
        script.OutputDataReceived += (_, e) => Keep(output, e.Data);
        script.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            await Eventually.UntilAsync(
                _ => Task.FromResult(output.Any(l => l.Contains("Serving until Ctrl-C", StringComparison.Ordinal)) || script.HasExited),
                "./run.sh to serve",
                ct,
                TimeSpan.FromSeconds(180));
            Assert.IsFalse(script.HasExited, Text(output));

            // The keys: generated into a private file, never printed, never on a command line.
            var keysFile = Path.Combine(state, "keys.env");
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysFile));
            var keys = File.ReadAllLines(keysFile).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#')).Select(l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]).ToList();
            Assert.HasCount(2, keys, File.ReadAllText(keysFile));
            Assert.IsTrue(keys.All(k => k.Length >= 24), "generated keys are long random strings");
            using (var staff = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{functions}/") })
            {
                staff.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", keys[0]);
                using var served = await staff.GetAsync("api/violations", ct);
                Assert.AreEqual(System.Net.HttpStatusCode.OK, served.StatusCode, "the generated staff key is the one the app uses");
            }

            foreach (var secret in keys.Append(platformKey))
            {
                Assert.IsFalse(Text(output).Contains(secret, StringComparison.Ordinal), "a key is printed:" + Environment.NewLine + Text(output));
                Assert.IsEmpty(CommandLinesContaining(secret), "a key is on a command line");
            }

            StringAssert.Contains(Text(output), keysFile, "the banner says where the keys are");

            // A worker that keeps crashing: the host gives up after the fourth crash in 30 minutes, and so does run.sh.
            using var host = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{functions}/") };
            for (var crash = 0; crash < 4 && !script.HasExited;)
            {
                var pid = await Eventually.UntilAsync<int>(async c => await WorkerPidAsync(host, c), "a running worker", ct, TimeSpan.FromSeconds(90));
                Process worker;
                try
                {
                    worker = Process.GetProcessById(pid);
                }
                catch (ArgumentException)
                {
                    // The status still named the worker that was just killed; ask again once the host has restarted it.
                    await Task.Delay(100, ct);
                    continue;
                }

                using (worker)
                {
                    worker.Kill();
                    await worker.WaitForExitAsync(ct);
                }

                crash++;
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, exited.Token);
            await script.WaitForExitAsync(either.Token);

            Assert.AreNotEqual(0, script.ExitCode, Text(output));
            StringAssert.Contains(Text(output), "the local Functions host stopped");
            foreach (var port in new[] { simulatorPort, blob, queue, table, functions })
            {
                Assert.IsFalse(await ListensAsync(port, ct), $"port {port} still listens after ./run.sh exited:{Environment.NewLine}{Text(output)}");
            }
        }
        finally
        {
            if (!script.HasExited)
            {
                script.Kill(entireProcessTree: true);
                await script.WaitForExitAsync(CancellationToken.None);
            }

            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<int?> WorkerPidAsync(HttpClient host, CancellationToken ct)
    {
        try
        {
            var status = JsonNode.Parse(await host.GetStringAsync("admin/host/status", ct))!;
            return (string?)status["state"] == "Running" && status["workerProcessId"] is { } pid ? (int)pid : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The pids of processes (anyone's: only reading) whose command line contains <paramref name="secret"/>.</summary>
    private static List<int> CommandLinesContaining(string secret)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(secret, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not readable.
            }
        }

        return found;
    }

    private static async Task<bool> ListensAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string Text(ConcurrentQueue<string> output) => string.Join(Environment.NewLine, output);

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }
}
