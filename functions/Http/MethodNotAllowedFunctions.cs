using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// <c>405 Method Not Allowed</c> with <c>Allow</c> (problem+json) for a request on one of the app's paths with a method
/// that path does not serve. The Functions host routes a request only to a function that declares its method and
/// answers anything else <c>404</c> with an empty body (Azure/azure-functions-host#10098), so the answer has to come from
/// functions of the app: one per route template, declaring every other common method (GET, POST, PUT, DELETE, PATCH,
/// HEAD, OPTIONS). The host keeps both functions of a template apart by method, in whatever order it registered them.
/// A test checks that these functions cover exactly the complement of each route's methods.
/// </summary>
internal sealed class MethodNotAllowedFunctions(HttpRouteTable table)
{
    /// <summary>The prefix of these functions' names.</summary>
    public const string Prefix = "MethodNotAllowed";

    [Function(Prefix + "Suppliers")]
    [AllowAnonymousAccess]
    public IResult Suppliers([HttpTrigger(AuthorizationLevel.Anonymous, "post", "delete", "patch", "head", "options", Route = "suppliers")] HttpRequest request) => table.Refuse(request, "suppliers");

    [Function(Prefix + "SupplierKeys")]
    [AllowAnonymousAccess]
    public IResult SupplierKeys([HttpTrigger(AuthorizationLevel.Anonymous, "put", "delete", "patch", "head", "options", Route = "suppliers/{id}/keys")] HttpRequest request) => table.Refuse(request, "suppliers/{id}/keys");

    [Function(Prefix + "Supplier")]
    [AllowAnonymousAccess]
    public IResult Supplier([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "patch", "head", "options", Route = "suppliers/{id}")] HttpRequest request) => table.Refuse(request, "suppliers/{id}");

    [Function(Prefix + "SupplierKey")]
    [AllowAnonymousAccess]
    public IResult SupplierKey([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "head", "options", Route = "suppliers/{id}/keys/{keyId}")] HttpRequest request) => table.Refuse(request, "suppliers/{id}/keys/{keyId}");

    [Function(Prefix + "SupplierReactivate")]
    [AllowAnonymousAccess]
    public IResult SupplierReactivate([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", "delete", "patch", "head", "options", Route = "suppliers/{id}/reactivate")] HttpRequest request) => table.Refuse(request, "suppliers/{id}/reactivate");

    [Function(Prefix + "SyncRunsLatest")]
    [AllowAnonymousAccess]
    public IResult SyncRunsLatest([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "sync-runs/latest")] HttpRequest request) => table.Refuse(request, "sync-runs/latest");

    [Function(Prefix + "Violations")]
    [AllowAnonymousAccess]
    public IResult Violations([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "violations")] HttpRequest request) => table.Refuse(request, "violations");

    [Function(Prefix + "MyViolations")]
    [AllowAnonymousAccess]
    public IResult MyViolations([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "me/violations")] HttpRequest request) => table.Refuse(request, "me/violations");

    [Function(Prefix + "MyPlans")]
    [AllowAnonymousAccess]
    public IResult MyPlans([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", "delete", "patch", "head", "options", Route = "me/violations/{recordId}/plans")] HttpRequest request) => table.Refuse(request, "me/violations/{recordId}/plans");

    [Function(Prefix + "MyPlanDocument")]
    [AllowAnonymousAccess]
    public IResult MyPlanDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "delete", "patch", "head", "options", Route = "me/violations/{recordId}/plans/{planId}/document")] HttpRequest request) => table.Refuse(request, "me/violations/{recordId}/plans/{planId}/document");

    [Function(Prefix + "PlanReview")]
    [AllowAnonymousAccess]
    public IResult PlanReview([HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", "delete", "patch", "head", "options", Route = "violations/{supplierId}/{recordId}/plans/{planId}/review")] HttpRequest request) => table.Refuse(request, "violations/{supplierId}/{recordId}/plans/{planId}/review");

    [Function(Prefix + "PlanDocument")]
    [AllowAnonymousAccess]
    public IResult PlanDocument([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "violations/{supplierId}/{recordId}/plans/{planId}/document")] HttpRequest request) => table.Refuse(request, "violations/{supplierId}/{recordId}/plans/{planId}/document");

    [Function(Prefix + "Alerts")]
    [AllowAnonymousAccess]
    public IResult Alerts([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "alerts")] HttpRequest request) => table.Refuse(request, "alerts");

    [Function(Prefix + "Progress")]
    [AllowAnonymousAccess]
    public IResult Progress([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "progress")] HttpRequest request) => table.Refuse(request, "progress");

    [Function(Prefix + "ProgressEntities")]
    [AllowAnonymousAccess]
    public IResult ProgressEntities([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "progress/entities")] HttpRequest request) => table.Refuse(request, "progress/entities");

    [Function(Prefix + "ProgressHistory")]
    [AllowAnonymousAccess]
    public IResult ProgressHistory([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "progress/history")] HttpRequest request) => table.Refuse(request, "progress/history");

    [Function(Prefix + "Dashboard")]
    [AllowAnonymousAccess]
    public IResult Dashboard([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "dashboard")] HttpRequest request) => table.Refuse(request, "dashboard");

    [Function(Prefix + "Portal")]
    [AllowAnonymousAccess]
    public IResult Portal([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "portal")] HttpRequest request) => table.Refuse(request, "portal");

    [Function(Prefix + "Workbench")]
    [AllowAnonymousAccess]
    public IResult Workbench([HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", "delete", "patch", "head", "options", Route = "workbench")] HttpRequest request) => table.Refuse(request, "workbench");
}
