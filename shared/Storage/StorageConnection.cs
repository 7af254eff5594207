using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The storage account as the Functions host reads its connection setting <c>AzureWebJobsStorage</c>:
/// either a connection string (the setting's own value; locally <c>UseDevelopmentStorage=true</c> or explicit
/// Azurite endpoints), or identity-based, from the setting's children: <c>__accountName</c>, or
/// <c>__tableServiceUri</c>, <c>__queueServiceUri</c> and <c>__blobServiceUri</c>, with <c>__credential</c>
/// (<c>managedidentity</c>) and <c>__clientId</c> (a user-assigned identity). A setting that is present but
/// unusable fails <see cref="FromConfiguration"/> with a message that names it.
/// </summary>
public sealed partial class StorageConnection
{
    /// <summary>The setting the Functions host (queue triggers, timers) and the app's storage clients read.</summary>
    public const string DefaultSetting = "AzureWebJobsStorage";

    /// <summary>What is used when the setting is absent: Azurite on its standard ports.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private const string ManagedIdentity = "managedidentity";

    private StorageConnection(string setting, string? connectionString, Uri? tables, Uri? queues, Uri? blobs, string? credential, string? clientId)
    {
        Setting = setting;
        ConnectionString = connectionString;
        TableServiceUri = tables;
        QueueServiceUri = queues;
        BlobServiceUri = blobs;
        CredentialKind = credential;
        ClientId = clientId;
    }

    /// <summary>The setting this connection was read from.</summary>
    public string Setting { get; }

    /// <summary>The connection string; null when the connection is identity-based.</summary>
    public string? ConnectionString { get; }

    /// <summary>The table service endpoint of an identity-based connection.</summary>
    public Uri? TableServiceUri { get; }

    /// <summary>The queue service endpoint of an identity-based connection.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>The blob service endpoint of an identity-based connection.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary><c>managedidentity</c>, or null (the default credential chain).</summary>
    public string? CredentialKind { get; }

    /// <summary>The client id of a user-assigned managed identity, or null.</summary>
    public string? ClientId { get; }

    /// <summary>True when the connection authenticates with a token credential rather than a connection string.</summary>
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>A connection from a connection string (checked as the storage clients parse it).</summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="setting">The setting's name, for messages.</param>
    public static StorageConnection FromConnectionString(string connectionString, string setting = DefaultSetting)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setting);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Unusable(setting, "is empty");
        }

        try
        {
            _ = new TableServiceClient(connectionString);
            _ = new QueueServiceClient(connectionString);
            _ = new BlobServiceClient(connectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            // The SDKs' messages do not repeat the connection string; ours does not either (it holds the key).
            throw new InvalidOperationException(
                $"{setting} is not a usable storage connection string ({e.GetType().Name}: {e.Message}). "
                + $"Use UseDevelopmentStorage=true, a storage account connection string, or the identity-based settings {setting}__accountName / {setting}__tableServiceUri, __queueServiceUri, __blobServiceUri.",
                e);
        }

        return new StorageConnection(setting, connectionString, null, null, null, null, null);
    }

    /// <summary>
    /// Reads the connection from <paramref name="configuration"/>: <c>AzureWebJobsStorage</c> as a connection string,
    /// else the identity-based <c>AzureWebJobsStorage__…</c> children, else <see cref="DevelopmentStorage"/>.
    /// </summary>
    /// <param name="configuration">The app's configuration (environment variables, local.settings.json values).</param>
    /// <exception cref="InvalidOperationException">A setting is present but unusable; the message names it.</exception>
    public static StorageConnection FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string setting = DefaultSetting;
        var children = configuration.GetSection(DefaultSetting).GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .ToDictionary(c => c.Key, c => c.Value!.Trim(), StringComparer.OrdinalIgnoreCase);
        if (configuration[DefaultSetting] is { Length: > 0 } value)
        {
            if (children.Count > 0)
            {
                throw Unusable(setting, $"is set as a connection string and also has identity-based settings ({string.Join(", ", children.Keys.Select(k => setting + "__" + k))}); use one form");
            }

            return FromConnectionString(value, setting);
        }

        if (children.Count == 0)
        {
            return FromConnectionString(DevelopmentStorage, setting);
        }

        var known = new[] { "accountName", "tableServiceUri", "queueServiceUri", "blobServiceUri", "credential", "clientId" };
        if (children.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw Unusable($"{setting}__{unknown}", $"is not a setting the pipeline reads (known: {string.Join(", ", known.Select(k => setting + "__" + k))})");
        }

        Uri? tables, queues, blobs;
        if (children.TryGetValue("accountName", out var account))
        {
            if (!AccountName().IsMatch(account))
            {
                throw Unusable($"{setting}__accountName", $"'{account}' is not a storage account name (3 to 24 lower-case letters and digits)");
            }

            if (children.Keys.FirstOrDefault(k => k.EndsWith("ServiceUri", StringComparison.OrdinalIgnoreCase)) is { } both)
            {
                throw Unusable($"{setting}__{both}", $"cannot be combined with {setting}__accountName; use one form");
            }

            tables = new Uri($"https://{account}.table.core.windows.net/");
            queues = new Uri($"https://{account}.queue.core.windows.net/");
            blobs = new Uri($"https://{account}.blob.core.windows.net/");
        }
        else
        {
            tables = ServiceUri(children, setting, "tableServiceUri");
            queues = ServiceUri(children, setting, "queueServiceUri");
            blobs = ServiceUri(children, setting, "blobServiceUri");
        }

        string? credential = null;
        if (children.TryGetValue("credential", out var kind))
        {
            if (!string.Equals(kind, ManagedIdentity, StringComparison.OrdinalIgnoreCase))
            {
                throw Unusable($"{setting}__credential", $"'{kind}' is not supported (use managedidentity, or leave it out for the default credential chain)");
            }

            credential = ManagedIdentity;
        }

        string? clientId = null;
        if (children.TryGetValue("clientId", out var id))
        {
            if (!Guid.TryParse(id, out _))
            {
                throw Unusable($"{setting}__clientId", $"'{id}' is not a client id (a GUID)");
            }

            clientId = id;
        }

        return new StorageConnection(setting, null, tables, queues, blobs, credential, clientId);
    }

    /// <summary>
    /// The token credential of an identity-based connection: a managed identity (user-assigned when a client id is
    /// given) for <c>credential=managedidentity</c>, otherwise the default chain (managed identity in Azure, a
    /// developer's sign-in locally).
    /// </summary>
    public TokenCredential CreateCredential()
    {
        if (!IsIdentityBased)
        {
            throw new InvalidOperationException($"{Setting} is a connection string; it has no token credential");
        }

        if (CredentialKind == ManagedIdentity)
        {
            return new ManagedIdentityCredential(ClientId is { } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned);
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });
    }

    /// <summary>How the connection is described in logs and messages: never a key.</summary>
    public override string ToString() => IsIdentityBased
        ? $"{Setting}: identity-based ({CredentialKind ?? "default credential"}{(ClientId is null ? "" : ", client id " + ClientId)}), tables {TableServiceUri}, queues {QueueServiceUri}, blobs {BlobServiceUri}"
        : $"{Setting}: connection string";

    private static Uri ServiceUri(Dictionary<string, string> children, string setting, string name)
    {
        if (!children.TryGetValue(name, out var text))
        {
            throw Unusable(
                $"{setting}__{name}",
                $"is required: the pipeline uses tables, queues and blobs, so an identity-based connection needs {setting}__accountName or all of {setting}__tableServiceUri, __queueServiceUri and __blobServiceUri");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Unusable($"{setting}__{name}", $"'{text}' is not an absolute http(s) URL");
        }

        return uri;
    }

    private static InvalidOperationException Unusable(string setting, string why) => new($"{setting} {why}.");

    [GeneratedRegex("^[a-z0-9]{3,24}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountName();
}
