using DisclosurePipeline.Functions;
using DisclosurePipeline.Functions.Protocol;

// The Azure Functions custom handler: the Functions host (in Azure, or tools/FunctionsHost locally)
// starts this process with FUNCTIONS_CUSTOMHANDLER_PORT, polls GET / until it answers, POSTs
// timer and queue invocations to /{FunctionName} and forwards HTTP requests to /api/... unchanged.
var builder = WebApplication.CreateBuilder(args);
var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? "8080";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddFunctionApp(builder.Configuration);

var app = builder.Build();
app.UseFunctionApp();
app.MapGet("/", () => Results.Text("ready"));
app.MapTriggeredFunctions();
app.MapHttpFunctions();
app.Run();

/// <summary>The handler's entry point; public for WebApplicationFactory-style tests.</summary>
public partial class Program;
