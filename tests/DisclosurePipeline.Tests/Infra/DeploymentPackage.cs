using System.IO.Compression;
using System.Security.Cryptography;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The deployment zip <c>tools/scripts/package.sh</c> builds, and the folder it unpacked that zip into
/// (<c>--unpack artifacts/app</c>, which the local Functions host runs), found through the manifest written beside the
/// folder (<c>artifacts/app.manifest</c>: the zip's path and SHA-256).
/// </summary>
internal sealed record DeploymentPackage(string Zip, string Sha256, string Folder)
{
    private const string Package = "tools/scripts/package.sh --configuration <c> --no-build --unpack artifacts/app (./test.sh does it)";

    /// <summary>The package the tests run, from <c>artifacts/app.manifest</c>.</summary>
    public static DeploymentPackage Unpacked()
    {
        var folder = RepoPaths.FunctionApp;
        var manifest = folder + ".manifest";
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"{manifest} is missing: {folder} was not unpacked from a package. Run {Package}.");
        }

        var values = File.ReadAllLines(manifest).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new DeploymentPackage(values.GetValueOrDefault("zip") ?? "", values.GetValueOrDefault("sha256") ?? "", folder);
    }

    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Every way <paramref name="folder"/> differs from the files in <paramref name="zip"/>: missing, extra, or with other bytes.</summary>
    public static IReadOnlyList<string> Differences(string zip, string folder)
    {
        var differences = new List<string>();
        using var archive = ZipFile.OpenRead(zip);
        var entries = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
        var inZip = entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var file = Path.Combine(folder, entry.FullName);
            if (!File.Exists(file))
            {
                differences.Add($"{entry.FullName}: in the zip, not in the folder");
                continue;
            }

            using var zipped = entry.Open();
            using var buffer = new MemoryStream();
            zipped.CopyTo(buffer);
            if (!buffer.GetBuffer().AsSpan(0, (int)buffer.Length).SequenceEqual(File.ReadAllBytes(file)))
            {
                differences.Add($"{entry.FullName}: the folder's copy has other bytes");
            }
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!inZip.Contains(name))
            {
                differences.Add($"{name}: in the folder, not in the zip");
            }
        }

        return differences;
    }
}
