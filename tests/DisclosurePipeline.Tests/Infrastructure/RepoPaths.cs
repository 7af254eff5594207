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

    /// <summary>The assembled function app (host.json, function folders, handler/), built by the functions project.</summary>
    public static string FunctionApp => Combine("artifacts", "app");

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
