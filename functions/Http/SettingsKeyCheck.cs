using DisclosurePipeline.Auth;
using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// At start-up, names every staff or analyst key setting that is an unresolved Key Vault reference (see
/// <see cref="SettingsKeys.IsUnresolvedReference"/>): such a key is refused, and the log says which setting to fix.
/// The app still starts — the sync and the other keys go on working.
/// </summary>
internal sealed partial class SettingsKeyCheck(IOptions<AuthOptions> keys, ILogger<SettingsKeyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in Unresolved(keys.Value))
        {
            Log.Unresolved(logger, setting);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The names (<c>Auth__StaffKeys__0</c>, …) of the keys that are unresolved references.</summary>
    public static IEnumerable<string> Unresolved(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.StaffKeys.Select((key, i) => (key, name: $"{AuthOptions.Section}__{nameof(AuthOptions.StaffKeys)}__{i}"))
            .Concat(options.AnalystKeys.Select((key, i) => (key, name: $"{AuthOptions.Section}__{nameof(AuthOptions.AnalystKeys)}__{i}")))
            .Where(k => SettingsKeys.IsUnresolvedReference(k.key))
            .Select(k => k.name);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "{Setting} is an unresolved Key Vault reference (the app's identity cannot read the secret, or it does not exist); that key is refused until the reference resolves")]
        public static partial void Unresolved(ILogger logger, string setting);
    }
}
