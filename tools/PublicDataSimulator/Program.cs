using System.Net;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using PublicDataSimulator;

// The public environmental data platform (contract v1), simulated on loopback for development and tests.
// See README.md: dotnet PublicDataSimulator.dll [--port 7080] [--entities 500] [--seed 42] [--api-key sim-key] [--year Y]
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
builder.Configuration.AddCommandLine(args, SimulatorSettings.SwitchMappings.ToDictionary());
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var time = TimeProvider.System;
SimulatorSettings settings;
try
{
    settings = SimulatorSettings.From(builder.Configuration, time.GetUtcNow());
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine("PublicDataSimulator: " + exception.Message);
    return 2;
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, settings.Port));
builder.Services.ConfigureHttpJsonOptions(json =>
{
    // Chinese text goes out as UTF-8, not \u escapes, as the platform sends it.
    json.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
});
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(time);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(new DataGenerator(settings.Entities, settings.Seed, time.GetUtcNow(), settings.Year));
builder.Services.AddSingleton<PlatformStore>();
builder.Services.AddSingleton(new FaultInjector(settings.Seed));

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapPlatformApi(settings);
app.MapControlPlane(settings);

await app.StartAsync();
Console.WriteLine($"PublicDataSimulator listening on http://127.0.0.1:{settings.Port} (entities {settings.Entities}, seed {settings.Seed}, year {settings.Year})");
await app.WaitForShutdownAsync();
return 0;
