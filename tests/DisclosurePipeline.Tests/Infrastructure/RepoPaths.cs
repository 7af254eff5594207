namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>Finds the repository's folders from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The build configuration the tests were built in (Debug or Release); tools are built alongside.</summary>
    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            is [System.Reflection.AssemblyConfigurationAttribute { Configuration: { Length: > 0 } c }, ..] ? c : "Debug";

    /// <summary>The built dll of a project under tools/.</summary>
    public static string ToolDll(string project) => Combine("tools", project, "bin", Configuration, "net10.0", project + ".dll");

    /// <summary>
    /// The function app as deployed: the deployment zip of tools/scripts/package.sh (the <c>dotnet publish</c> output of
    /// functions/: host.json, functions.metadata, worker.config.json, extensions.json, .azurefunctions/, the worker),
    /// unpacked here by ./test.sh and ./run.sh.
    /// </summary>
    public static string FunctionApp => Combine("artifacts", "app");

    /// <summary>
    /// Fails, saying what to run, when <see cref="FunctionApp"/> is missing or is not the worker this test run was
    /// built with (the published assembly differs from functions/bin/&lt;configuration&gt;).
    /// </summary>
    public static void EnsureFunctionAppPublished()
    {
        const string assembly = "DisclosurePipeline.Functions.dll";
        var published = Path.Combine(FunctionApp, assembly);
        var built = Combine("functions", "bin", Configuration, "net10.0", assembly);
        var publish = $"tools/scripts/package.sh --configuration {Configuration} --no-build --unpack artifacts/app (./test.sh does it)";
        if (!File.Exists(Path.Combine(FunctionApp, "worker.config.json")) || !File.Exists(published))
        {
            throw new InvalidOperationException($"{FunctionApp} holds no published function app: run {publish}.");
        }

        if (File.Exists(built) && !File.ReadAllBytes(built).AsSpan().SequenceEqual(File.ReadAllBytes(published)))
        {
            throw new InvalidOperationException($"{FunctionApp} is not the function app this test run was built with: run {publish}.");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DisclosurePipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DisclosurePipeline.sln not found above " + AppContext.BaseDirectory);
    }
}
