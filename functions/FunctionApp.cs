using System.Text.Json;
using System.Text.Json.Serialization;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Functions.DeliverAlert;
using DisclosurePipeline.Functions.GetLatestSyncRun;
using DisclosurePipeline.Functions.GetPlanDocument;
using DisclosurePipeline.Functions.GetPortal;
using DisclosurePipeline.Functions.GetWorkbench;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Functions.ImportSuppliers;
using DisclosurePipeline.Functions.IssueSupplierKey;
using DisclosurePipeline.Functions.ListAlerts;
using DisclosurePipeline.Functions.ListMyViolations;
using DisclosurePipeline.Functions.ListViolations;
using DisclosurePipeline.Functions.Protocol;
using DisclosurePipeline.Functions.ReviewPlan;
using DisclosurePipeline.Functions.ScheduleSupplierSync;
using DisclosurePipeline.Functions.SubmitPlan;
using DisclosurePipeline.Functions.SweepPlanDeadlines;
using DisclosurePipeline.Functions.SyncSupplierBatch;
using DisclosurePipeline.Functions.UploadPlanDocument;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Sync;

namespace DisclosurePipeline.Functions;

/// <summary>Composition of the function app: settings, services, functions and the HTTP pipeline.</summary>
internal static class FunctionApp
{
    public static IServiceCollection AddFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddSettings(services, configuration);

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(Policies.Add);

        services.AddSingleton(TimeProvider.System);
        services.AddPipelineStorage(configuration["AzureWebJobsStorage"] is { Length: > 0 } storage ? storage : "UseDevelopmentStorage=true");
        services.AddSingleton<RegistryImport>();
        services.AddPublicDataClient(configuration);
        services.AddSingleton(HostQueueSettings.Load(configuration["FUNCTIONS_APP_ROOT_PATH"]));
        services.AddSingleton<SyncScheduler>();
        services.AddSingleton<SyncBatchProcessor>();
        services.AddSingleton<ScheduledSync>();
        services.AddCaseServices();
        services.AddSingleton<IBearerKeyResolver, SupplierKeyResolver>();

        services.AddTriggeredFunction<ScheduleSupplierSyncFunction>(ScheduleSupplierSyncFunction.Name);
        services.AddTriggeredFunction<SyncSupplierBatchFunction>(SyncSupplierBatchFunction.Name);
        services.AddProgressFunctions();
        services.AddTriggeredFunction<SweepPlanDeadlinesFunction>(SweepPlanDeadlinesFunction.Name);
        services.AddTriggeredFunction<DeliverAlertFunction>(DeliverAlertFunction.Name);
        return services;
    }

    public static WebApplication UseFunctionApp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps every HTTP function's route under /api (the host forwards requests unchanged).</summary>
    public static IEndpointRouteBuilder MapHttpFunctions(this IEndpointRouteBuilder app)
    {
        GetLatestSyncRunFunction.Map(app);
        ImportSuppliersFunction.Map(app);
        app.MapProgressFunctions();
        IssueSupplierKeyFunction.Map(app);
        ListViolationsFunction.Map(app);
        ListMyViolationsFunction.Map(app);
        SubmitPlanFunction.Map(app);
        UploadPlanDocumentFunction.Map(app);
        ReviewPlanFunction.Map(app);
        GetPlanDocumentFunction.Map(app);
        ListAlertsFunction.Map(app);
        GetPortalFunction.Map(app);
        GetWorkbenchFunction.Map(app);
        return app;
    }

    private static void AddSettings(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => TryFindZone(o.TimeZone), "Pipeline__TimeZone is not a known IANA time zone (for example Asia/Shanghai)")
            .ValidateOnStart();
        services.AddOptions<TargetsOptions>().Bind(configuration.GetSection(TargetsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section)).ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section));
    }

    private static bool TryFindZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
