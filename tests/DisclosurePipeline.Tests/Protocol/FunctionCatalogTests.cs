using System.Text.Json.Nodes;
using DisclosurePipeline.Functions;
using DisclosurePipeline.Functions.Protocol;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>Every function.json has a handler, and every handler a function.json, with the same route and methods.</summary>
[TestClass]
public sealed class FunctionCatalogTests
{
    [TestMethod]
    public async Task Catalog_FunctionJsonAndHandlers_MatchBothWays()
    {
        var declared = Directory.GetDirectories(RepoPaths.Combine("functions"))
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .ToDictionary(d => Path.GetFileName(d), d => JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!);
        Assert.IsNotEmpty(declared);

        await using var app = BuildApp();
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);

        foreach (var (name, json) in declared)
        {
            Assert.IsTrue(endpoints.TryGetValue(name, out var endpoint), $"function {name} has no handler endpoint");
            var trigger = json["bindings"]!.AsArray().Single(b => ((string?)b!["type"])!.EndsWith("Trigger", StringComparison.Ordinal))!;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            if ((string?)trigger["type"] == "httpTrigger")
            {
                var route = (string?)trigger["route"] ?? name;
                Assert.AreEqual("/api/" + route, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'), $"{name}'s route");
                var declaredMethods = trigger["methods"]!.AsArray().Select(m => ((string)m!).ToUpperInvariant()).Order().ToList();
                CollectionAssert.AreEqual(declaredMethods, methods.Order().ToList(), $"{name}'s methods");
                Assert.AreEqual("anonymous", (string?)trigger["authLevel"], $"{name}: the app authenticates by bearer key itself");
            }
            else
            {
                Assert.AreEqual("/" + name, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'), $"{name} is invoked at POST /{name}");
                CollectionAssert.AreEqual(new[] { "POST" }, methods.ToList());
            }
        }

        foreach (var name in endpoints.Keys)
        {
            Assert.IsTrue(declared.ContainsKey(name), $"handler endpoint {name} has no functions/{name}/function.json");
        }
    }

    [TestMethod]
    public void HostJson_PointsAtTheHandlerAndForwardsHttp()
    {
        var host = JsonNode.Parse(File.ReadAllText(RepoPaths.Combine("host.json")))!;
        var description = host["customHandler"]!["description"]!;

        Assert.AreEqual("2.0", (string?)host["version"]);
        Assert.AreEqual("handler/DisclosurePipeline.Functions", (string?)description["defaultExecutablePath"]);
        Assert.IsTrue((bool?)host["customHandler"]!["enableForwardingHttpRequest"]);
        Assert.IsTrue(File.Exists(Path.Combine(RepoPaths.FunctionApp, "handler", "DisclosurePipeline.Functions.dll")), "the build assembles the app layout");
        Assert.IsTrue(File.Exists(Path.Combine(RepoPaths.FunctionApp, "host.json")));
        foreach (var dir in Directory.GetDirectories(RepoPaths.Combine("functions")).Where(d => File.Exists(Path.Combine(d, "function.json"))))
        {
            Assert.IsTrue(File.Exists(Path.Combine(RepoPaths.FunctionApp, Path.GetFileName(dir), "function.json")), $"{dir} is in the app layout");
        }
    }

    private static WebApplication BuildApp()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddFunctionApp(builder.Configuration);
        var app = builder.Build();
        app.MapTriggeredFunctions();
        app.MapHttpFunctions();
        return app;
    }
}
