using DisclosurePipeline.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the storage adapters.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StorageAccount"/> (clients created once), <see cref="IStorageInitializer"/>,
    /// <see cref="IEntityStore"/>, <see cref="ICaseStore"/>, <see cref="ISyncRunStore"/>, <see cref="IPlanStore"/>,
    /// <see cref="IAlertStore"/>, <see cref="ISupplierKeyStore"/>, <see cref="IHistoryStore"/>, <see cref="IWorkQueue"/>,
    /// <see cref="IDocumentStore"/> and <see cref="IProgressStore"/>, all singletons. Tables, queues and containers are created on first use;
    /// call <see cref="IStorageInitializer.EnsureCreatedAsync"/> to create them all up front.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">The storage connection string (<c>AzureWebJobsStorage</c>).</param>
    /// <param name="names">Table, queue and container names; <see cref="StorageNames.Default"/> when null.</param>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, string connectionString, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddSingleton(_ => new StorageAccount(connectionString, names));
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
        return services;
    }
}
