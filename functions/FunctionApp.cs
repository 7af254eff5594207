namespace DisclosurePipeline.Functions;

/// <summary>Composition of the function app: services, functions and the HTTP pipeline.</summary>
internal static class FunctionApp
{
    public static IServiceCollection AddFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddProblemDetails();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static WebApplication UseFunctionApp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Maps every HTTP function's route under /api (forwarded by the host unchanged).</summary>
    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder app) => app;
}
