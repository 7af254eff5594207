using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions.Http;

/// <summary>The access rule of every HTTP function of the app, by function name, read once from the function methods.</summary>
internal sealed class FunctionAccess
{
    private readonly Dictionary<string, AccessRule?> rules;

    private FunctionAccess(Dictionary<string, AccessRule?> rules) => this.rules = rules;

    /// <summary>The rules of the functions in this app's assembly.</summary>
    public static FunctionAccess ForThisApp() => new(HttpFunctions(typeof(FunctionAccess).Assembly)
        .ToDictionary(f => f.Name, f => AccessRule.Of(f.Method), StringComparer.Ordinal));

    /// <summary>Every <c>[Function]</c> method of <paramref name="assembly"/> with an HTTP trigger, with its function name.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return from type in assembly.GetTypes()
               from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
               let function = method.GetCustomAttribute<FunctionAttribute>()
               where function is not null && method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null)
               select (function.Name, method);
    }

    /// <summary>The rule of the named function; null when it declares none (or is not an HTTP function of this app).</summary>
    public AccessRule? Find(string functionName) => rules.GetValueOrDefault(functionName);
}
