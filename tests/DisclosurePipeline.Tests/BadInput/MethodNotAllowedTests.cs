using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>The 405 functions cover, for every route of the app, exactly the common methods the route does not serve.</summary>
[TestClass]
public sealed class MethodNotAllowedTests
{
    private static readonly string[] CommonMethods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

    [TestMethod]
    public void MethodNotAllowedFunctions_EveryRoute_DeclareExactlyTheOtherMethods()
    {
        var triggers = HttpRouteTable.Triggers(typeof(MethodNotAllowedFunctions).Assembly).ToList();
        var served = triggers.Where(t => t.Method.DeclaringType != typeof(MethodNotAllowedFunctions)).GroupBy(t => t.Trigger.Route!).ToList();
        var refusing = triggers.Where(t => t.Method.DeclaringType == typeof(MethodNotAllowedFunctions)).ToDictionary(t => t.Trigger.Route!);

        Assert.HasCount(served.Count, refusing, "one 405 function per route");
        foreach (var route in served)
        {
            var methods = route.SelectMany(t => t.Trigger.Methods!).Select(m => m.ToUpperInvariant()).ToHashSet();
            Assert.IsTrue(refusing.TryGetValue(route.Key, out var refuser), $"no 405 function for {route.Key}");
            CollectionAssert.AreEquivalent(
                CommonMethods.Where(m => !methods.Contains(m)).ToList(),
                refuser.Trigger.Methods!.Select(m => m.ToUpperInvariant()).ToList(),
                route.Key);
            CollectionAssert.AreEqual(methods.Order(StringComparer.Ordinal).ToList(), HttpRouteTable.ForThisApp().MethodsOf(route.Key).ToList(), route.Key);
        }
    }
}
