using System.Security.Claims;
using DisclosurePipeline.Functions;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>Every HTTP function declares who may call it, and the middleware's decision follows the declaration.</summary>
[TestClass]
public sealed class FunctionAccessTests
{
    private static readonly ClaimsPrincipal Staff = Caller(new Claim(ClaimTypes.Role, Roles.Staff));
    private static readonly ClaimsPrincipal Analyst = Caller(new Claim(ClaimTypes.Role, Roles.Analyst));
    private static readonly ClaimsPrincipal Supplier = Caller(new Claim(ClaimTypes.Role, Roles.Supplier), new Claim(Roles.SupplierIdClaim, "91310000MA1FL0001X"));

    [TestMethod]
    public void HttpFunctions_EveryOne_DeclaresExactlyOneAccessRule()
    {
        var functions = FunctionAccess.HttpFunctions(typeof(SyncFunctions).Assembly)
            .Where(f => f.Method.DeclaringType != typeof(MethodNotAllowedFunctions)).ToList();

        Assert.HasCount(22, functions, string.Join(", ", functions.Select(f => f.Name)));
        foreach (var (name, method) in functions)
        {
            Assert.IsNotNull(AccessRule.Of(method), $"{name} declares [RequireRole(...)] or [AllowAnonymousAccess], not both");
        }

        CollectionAssert.AreEqual(
            new[] { nameof(PageFunctions.GetDashboard), nameof(PageFunctions.GetPortal), nameof(PageFunctions.GetWorkbench) },
            functions.Where(f => AccessRule.Of(f.Method)!.Anonymous).Select(f => f.Name).Order(StringComparer.Ordinal).ToArray(),
            "only the pages (which hold no data) are open to anyone");
    }

    [TestMethod]
    public void HttpFunctions_MeRoutes_AreForSuppliersOnlyAndEveryOtherForStaff()
    {
        var access = FunctionAccess.ForThisApp();
        foreach (var (name, method) in FunctionAccess.HttpFunctions(typeof(SyncFunctions).Assembly).Where(f => f.Method.DeclaringType != typeof(MethodNotAllowedFunctions)))
        {
            var route = method.GetParameters().Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false))
                .SelectMany(a => a).Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().Single().Route!;
            var rule = access.Find(name);
            if (rule!.Anonymous)
            {
                continue;
            }

            if (route.StartsWith("me/", StringComparison.Ordinal))
            {
                CollectionAssert.AreEqual(new[] { Roles.Supplier }, rule.Roles.ToArray(), name);
            }
            else
            {
                CollectionAssert.Contains(rule.Roles.ToArray(), Roles.Staff, name);
                CollectionAssert.DoesNotContain(rule.Roles.ToArray(), Roles.Supplier, name);
            }
        }
    }

    [TestMethod]
    public void Decide_NoDeclaredRule_RefusesEveryCallerEvenStaff()
    {
        Assert.AreEqual(AccessDecision.Undeclared, AccessRule.Decide(null, Staff));
        Assert.AreEqual(AccessDecision.Undeclared, AccessRule.Decide(null, null));
    }

    [TestMethod]
    public void Decide_ByRole_AllowsTheRoleForbidsOthersAndWantsAKey()
    {
        var staffOrAnalyst = new AccessRule(false, [Roles.Staff, Roles.Analyst]);
        var supplierOnly = new AccessRule(false, [Roles.Supplier]);

        Assert.AreEqual(AccessDecision.Allowed, AccessRule.Decide(staffOrAnalyst, Analyst));
        Assert.AreEqual(AccessDecision.Allowed, AccessRule.Decide(staffOrAnalyst, Staff));
        Assert.AreEqual(AccessDecision.Forbidden, AccessRule.Decide(staffOrAnalyst, Supplier));
        Assert.AreEqual(AccessDecision.Unauthenticated, AccessRule.Decide(staffOrAnalyst, null));
        Assert.AreEqual(AccessDecision.Allowed, AccessRule.Decide(supplierOnly, Supplier));
        Assert.AreEqual(AccessDecision.Forbidden, AccessRule.Decide(supplierOnly, Staff), "staff get 403 on /api/me/*");
        Assert.AreEqual(AccessDecision.Forbidden, AccessRule.Decide(supplierOnly, Caller(new Claim(ClaimTypes.Role, Roles.Supplier))), "a supplier without its id");
        Assert.AreEqual(AccessDecision.Allowed, AccessRule.Decide(new AccessRule(true, []), null));
    }

    private static ClaimsPrincipal Caller(params Claim[] claims) => new(new ClaimsIdentity(claims, BearerKeyAuthenticator.Scheme));
}
