using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The Bicep CLI restored from NuGet (<c>Azure.Bicep.CommandLine.linux-x64</c>, a <c>PackageDownload</c> of the
/// test project); its path comes from the build as the assembly's <c>BicepCliPath</c> metadata.
/// </summary>
internal static class BicepCli
{
    /// <summary>The template azd provisions.</summary>
    public static string MainTemplate { get; } = RepoPaths.Combine("infra", "main.bicep");

    public static string ExecutablePath { get; } = Find();

    /// <summary>Runs the CLI and returns its exit code and output.</summary>
    public static async Task<BicepRun> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // No telemetry and no version check from a test run.
        psi.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + ExecutablePath);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Evaluates the template with <c>bicep snapshot</c>: the resources a deployment with these parameters would
    /// create, with every expression that does not need a live deployment (names, conditions, unions, parameters)
    /// resolved. Values only Azure knows stay ARM expressions (<c>[reference(...)]</c>).
    /// </summary>
    public static async Task<JsonObject> SnapshotAsync(string parameters, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("bicep-snapshot-");
        try
        {
            var paramFile = Path.Combine(dir.FullName, "test.bicepparam");
            var relative = Path.GetRelativePath(dir.FullName, MainTemplate).Replace('\\', '/');
            await File.WriteAllTextAsync(paramFile, $"using '{relative}'\n{parameters}", cancellationToken);
            var run = await RunAsync(
                [
                    "snapshot", paramFile,
                    "--mode", "overwrite",
                    "--tenant-id", SnapshotIds.Tenant,
                    "--subscription-id", SnapshotIds.Subscription,
                    "--location", SnapshotIds.Location,
                ],
                cancellationToken);
            Assert.AreEqual(0, run.ExitCode, "bicep snapshot failed:\n" + run.Output);
            var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "test.snapshot.json"), cancellationToken))!.AsObject();
            Assert.AreEqual(0, snapshot["diagnostics"]!.AsArray().Count, "bicep snapshot reported diagnostics:\n" + snapshot["diagnostics"]);
            return snapshot;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Find()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepCliPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is not at '{path}': restore the test project (it downloads Azure.Bicep.CommandLine.linux-x64).");
        }

        // Package extraction does not promise the execute bit.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }
}
