namespace DisclosurePipeline.Tests.Infra;

/// <summary>The made-up deployment context the snapshots are evaluated in.</summary>
internal static class SnapshotIds
{
    public const string Tenant = "00000000-0000-0000-0000-00000000000a";
    public const string Subscription = "00000000-0000-0000-0000-00000000000b";
    public const string Location = "eastasia";
    public const string Deployer = "00000000-0000-0000-0000-00000000000c";
}
