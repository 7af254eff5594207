using DisclosurePipeline.Functions.Composition;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.PublicData;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The function app: a .NET isolated worker the Functions host (in Azure, or tools/FunctionsHost locally)
// starts and drives over gRPC; HTTP requests reach the functions through the ASP.NET Core integration.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<NoSniffMiddleware>();
builder.UseMiddleware<StorageOutageMiddleware>();
builder.UseMiddleware<FailedAuthLimitMiddleware>();
builder.UseMiddleware<BearerKeyMiddleware>();
builder.Services.AddSingleton<FailedAuthLimiter>();

builder.Services.AddPipelineTelemetry(builder.Configuration);
builder.Services.AddPipelineSettings(builder.Configuration);
builder.Services.AddPipelineStorage(builder.Configuration);
builder.Services.AddPublicDataClient(builder.Configuration);
builder.Services.AddPipelineServices();
builder.Services.AddPipelineHttp();
builder.Services.AddHttpInput();

builder.Build().Run();
