using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the storage adapters.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the table, queue and blob service clients (<c>AddAzureClients</c>, created once) for the connection
    /// the <c>AzureWebJobsStorage</c> setting describes — the one the Functions host's queue triggers use — then
    /// <see cref="StorageAccount"/>, <see cref="IStorageInitializer"/>, <see cref="IEntityStore"/>, <see cref="ICaseStore"/>,
    /// <see cref="ISyncRunStore"/>, <see cref="IPlanStore"/>, <see cref="IAlertStore"/>, <see cref="ISupplierKeyStore"/>,
    /// <see cref="IHistoryStore"/>, <see cref="ISyncStateStore"/>, <see cref="IWorkQueue"/>, <see cref="IDocumentStore"/> and
    /// <see cref="IProgressStore"/>, all singletons. Tables, queues and containers are created on first use; call
    /// <see cref="IStorageInitializer.EnsureCreatedAsync"/> to create them all up front.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The app's configuration; see <see cref="StorageConnection.FromConfiguration"/> for the forms read.</param>
    /// <param name="names">Table, queue and container names; <see cref="StorageNames.Default"/> when null.</param>
    /// <exception cref="InvalidOperationException">The storage setting is present but unusable (the message names it).</exception>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, IConfiguration configuration, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddPipelineStorage(StorageConnection.FromConfiguration(configuration), names);
    }

    /// <summary>As <see cref="AddPipelineStorage(IServiceCollection, IConfiguration, StorageNames?)"/>, for a connection string (tools and tests).</summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">A storage connection string.</param>
    /// <param name="names">Table, queue and container names; <see cref="StorageNames.Default"/> when null.</param>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, string connectionString, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddPipelineStorage(StorageConnection.FromConnectionString(connectionString), names);
    }

    /// <summary>As <see cref="AddPipelineStorage(IServiceCollection, IConfiguration, StorageNames?)"/>, for a connection already read.</summary>
    /// <param name="services">The services.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="names">Table, queue and container names; <see cref="StorageNames.Default"/> when null.</param>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, StorageConnection connection, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(connection);
        services.AddSingleton(connection);
        services.AddAzureClients(clients =>
        {
            if (connection.ConnectionString is { } cs)
            {
                clients.AddTableServiceClient(cs);
                clients.AddQueueServiceClient(cs).ConfigureOptions(o => StorageAccount.QueueOptions(o));
                clients.AddBlobServiceClient(cs);
            }
            else
            {
                clients.AddTableServiceClient(connection.TableServiceUri!);
                clients.AddQueueServiceClient(connection.QueueServiceUri!).ConfigureOptions(o => StorageAccount.QueueOptions(o));
                clients.AddBlobServiceClient(connection.BlobServiceUri!);
                clients.UseCredential(_ => connection.CreateCredential());
            }
        });

        services.AddSingleton(sp => new StorageAccount(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<QueueServiceClient>(),
            sp.GetRequiredService<BlobServiceClient>(),
            names));
        services.AddSingleton<IStorageInitializer>(sp => sp.GetRequiredService<StorageAccount>());
        services.AddSingleton<IEntityStore, TableEntityStore>();
        services.AddSingleton<ICaseStore, TableCaseStore>();
        services.AddSingleton<ISyncRunStore, TableSyncRunStore>();
        services.AddSingleton<IPlanStore, TablePlanStore>();
        services.AddSingleton<IAlertStore, TableAlertStore>();
        services.AddSingleton<ISupplierKeyStore, TableSupplierKeyStore>();
        services.AddSingleton<IHistoryStore, TableHistoryStore>();
        services.AddSingleton<ISyncStateStore, TableSyncStateStore>();
        services.AddSingleton<IWorkQueue, StorageWorkQueue>();
        services.AddSingleton<IDocumentStore, BlobDocumentStore>();
        services.AddSingleton<IProgressStore, TableProgressStore>();
        services.AddSingleton<IRejectedMessageStore, TableRejectedMessageStore>();
        return services;
    }
}
