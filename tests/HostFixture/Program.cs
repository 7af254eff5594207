using HostFixture;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The fixture worker: an ordinary isolated worker with the ASP.NET Core integration, run by the
// local Functions host in its tests and benchmark.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSingleton(new InvocationLog(Environment.GetEnvironmentVariable("FIXTURE_LOG_DIR")));
builder.Build().Run();
