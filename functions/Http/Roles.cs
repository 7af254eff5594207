namespace DisclosurePipeline.Functions.Http;

/// <summary>The roles the contract names.</summary>
internal static class Roles
{
    public const string Staff = "staff";
    public const string Analyst = "analyst";
    public const string Supplier = "supplier";

    /// <summary>The claim that carries a supplier key's entity id.</summary>
    public const string SupplierIdClaim = "supplier_id";
}
