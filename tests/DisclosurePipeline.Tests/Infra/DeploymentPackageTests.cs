using System.IO.Compression;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The package that is tested is the package that ships: the zip <c>tools/scripts/package.sh</c> builds has the layout
/// the Functions host expects at its root, and the folder the end-to-end tests run under the local Functions host is
/// that zip unpacked, byte for byte.
/// </summary>
[TestClass]
public sealed class DeploymentPackageTests
{
    [TestMethod]
    public void Zip_Root_HoldsTheFunctionsAppLayout()
    {
        var package = DeploymentPackage.Unpacked();
        using var archive = ZipFile.OpenRead(package.Zip);
        var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "DisclosurePipeline.Functions.dll", "DisclosurePipeline.Shared.dll" })
        {
            Assert.Contains(file, files, $"{file} at the zip's root");
        }

        Assert.IsTrue(files.Any(f => f.StartsWith(".azurefunctions/", StringComparison.Ordinal)), ".azurefunctions/ (the host-side extensions the worker needs)");
        Assert.IsFalse(files.Any(f => f.Contains('\\', StringComparison.Ordinal)), "entry names use '/'");
        Assert.IsFalse(files.Any(f => Path.GetFileName(f).StartsWith("local.settings", StringComparison.OrdinalIgnoreCase)), "no local settings in the package");
        using (var host = archive.GetEntry("host.json")!.Open())
        using (var copy = new MemoryStream())
        {
            host.CopyTo(copy);
            CollectionAssert.AreEqual(File.ReadAllBytes(RepoPaths.Combine("host.json")), copy.ToArray(), "the zip carries the repository's host.json");
        }

        using var worker = archive.GetEntry("worker.config.json")!.Open();
        var description = JsonNode.Parse(worker)!["description"]!;
        Assert.AreEqual("dotnet-isolated", (string?)description["language"]);
        Assert.Contains((string)description["defaultWorkerPath"]!, files, "the worker the host starts is in the zip");
    }

    [TestMethod]
    public void UnpackedApp_TheTestsRun_IsTheZipByteForByte()
    {
        var package = DeploymentPackage.Unpacked();

        Assert.IsTrue(File.Exists(package.Zip), $"{package.Zip}, named by {package.Folder}.manifest, is gone");
        Assert.AreEqual(package.Sha256, DeploymentPackage.Sha256Of(package.Zip), "the zip was rebuilt after it was unpacked: run package.sh --unpack again");
        var differences = DeploymentPackage.Differences(package.Zip, package.Folder);
        Assert.IsEmpty(differences, string.Join("\n", differences));
        RepoPaths.EnsureFunctionAppPublished();
    }

    [TestMethod]
    public void Differences_ChangedMissingAndExtraFiles_AreEachReported()
    {
        var dir = Directory.CreateTempSubdirectory("package-diff-");
        try
        {
            var source = Directory.CreateDirectory(Path.Combine(dir.FullName, "source"));
            Directory.CreateDirectory(Path.Combine(source.FullName, ".azurefunctions"));
            File.WriteAllText(Path.Combine(source.FullName, "host.json"), "{}");
            File.WriteAllText(Path.Combine(source.FullName, "app.dll"), "app");
            File.WriteAllText(Path.Combine(source.FullName, ".azurefunctions", "ext.dll"), "ext");
            var zip = Path.Combine(dir.FullName, "app.zip");
            ZipFile.CreateFromDirectory(source.FullName, zip);
            var unpacked = Path.Combine(dir.FullName, "unpacked");
            ZipFile.ExtractToDirectory(zip, unpacked);
            Assert.IsEmpty(DeploymentPackage.Differences(zip, unpacked), "an exact copy has no difference");

            File.WriteAllText(Path.Combine(unpacked, "app.dll"), "App");
            File.Delete(Path.Combine(unpacked, ".azurefunctions", "ext.dll"));
            File.WriteAllText(Path.Combine(unpacked, ".azurefunctions", "stray.dll"), "x");

            CollectionAssert.AreEquivalent(
                new[]
                {
                    "app.dll: the folder's copy has other bytes",
                    ".azurefunctions/ext.dll: in the zip, not in the folder",
                    ".azurefunctions/stray.dll: in the folder, not in the zip",
                },
                DeploymentPackage.Differences(zip, unpacked).ToList());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
