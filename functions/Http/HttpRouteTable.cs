using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions.Http;

/// <summary>The methods each route of the app serves, read once from its HTTP functions (those answering 405 left out).</summary>
internal sealed class HttpRouteTable
{
    private readonly Dictionary<string, string[]> methods;

    private HttpRouteTable(Dictionary<string, string[]> methods) => this.methods = methods;

    /// <summary>The routes of this app's functions.</summary>
    public static HttpRouteTable ForThisApp() => new(
        Triggers(typeof(HttpRouteTable).Assembly)
            .Where(t => t.Method.DeclaringType != typeof(MethodNotAllowedFunctions))
            .GroupBy(t => t.Trigger.Route ?? "", StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.SelectMany(t => t.Trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal));

    /// <summary>Every HTTP trigger of <paramref name="assembly"/>'s functions, with its method.</summary>
    public static IEnumerable<(MethodInfo Method, HttpTriggerAttribute Trigger)> Triggers(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return from name in FunctionAccess.HttpFunctions(assembly)
               let trigger = name.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).Single(a => a is not null)!
               select (name.Method, trigger);
    }

    /// <summary>The methods <paramref name="route"/> serves, upper case and sorted; empty for a route the app does not have.</summary>
    public IReadOnlyList<string> MethodsOf(string route) => methods.GetValueOrDefault(route) ?? [];

    /// <summary>The 405 answer for <paramref name="request"/> on <paramref name="route"/>, with <c>Allow</c> set.</summary>
    public IResult Refuse(HttpRequest request, string route)
    {
        ArgumentNullException.ThrowIfNull(request);
        var allowed = string.Join(", ", MethodsOf(route));
        request.HttpContext.Response.Headers.Allow = allowed;
        return Problems.Result(
            StatusCodes.Status405MethodNotAllowed,
            "Method not allowed",
            $"{request.Method} is not served on /api/{route}; use {allowed}.");
    }
}
