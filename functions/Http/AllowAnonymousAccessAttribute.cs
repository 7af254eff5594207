namespace DisclosurePipeline.Functions.Http;

/// <summary>An HTTP function anyone may call without a key (the dashboard page, which holds no data).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class AllowAnonymousAccessAttribute : Attribute;
