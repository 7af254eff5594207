using System.Globalization;

namespace PublicDataSimulator;

/// <summary>The simulator's start-up settings (command line <c>--port</c> etc., or <c>Simulator__Port</c> etc.).</summary>
internal sealed record SimulatorSettings(int Port, int Entities, int Seed, string ApiKey, int Year)
{
    public const int MaxEntities = 1_000_000;

    /// <summary>The platform's local offset: China Standard Time has no daylight saving.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--port"] = "Simulator:Port",
        ["--entities"] = "Simulator:Entities",
        ["--seed"] = "Simulator:Seed",
        ["--api-key"] = "Simulator:ApiKey",
        ["--year"] = "Simulator:Year",
    };

    public static SimulatorSettings From(IConfiguration configuration, DateTimeOffset now)
    {
        var section = configuration.GetSection("Simulator");
        var port = Int(section, "Port", 7080, 0, 65535);
        var entities = Int(section, "Entities", 500, 1, MaxEntities);
        var seed = Int(section, "Seed", 42, int.MinValue, int.MaxValue);
        var apiKey = section["ApiKey"] is { Length: > 0 } key ? key : "sim-key";
        var year = Int(section, "Year", now.ToOffset(ChinaOffset).Year, 2000, 2100);
        return new SimulatorSettings(port, entities, seed, apiKey, year);
    }

    private static int Int(IConfiguration section, string name, int fallback, int min, int max)
    {
        var text = section[name];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"Simulator:{name} must be an integer from {min} to {max}, not '{text}'");
        }

        return value;
    }
}
