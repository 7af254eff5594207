using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class StorageConnectionTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void FromConfiguration_NoSetting_IsDevelopmentStorage()
    {
        var connection = StorageConnection.FromConfiguration(Config());

        Assert.AreEqual("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.IsFalse(connection.IsIdentityBased);
    }

    [TestMethod]
    public void FromConfiguration_AccountName_IsIdentityBasedOnThatAccountsEndpoints()
    {
        var connection = StorageConnection.FromConfiguration(Config(
            ("AzureWebJobsStorage:accountName", "stdisclosure01"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "6b1a1f3e-0f2c-4e7a-9d2b-2f3c4d5e6f70")));

        Assert.IsTrue(connection.IsIdentityBased);
        Assert.AreEqual(new Uri("https://stdisclosure01.table.core.windows.net/"), connection.TableServiceUri);
        Assert.AreEqual(new Uri("https://stdisclosure01.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.AreEqual(new Uri("https://stdisclosure01.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.IsInstanceOfType<Azure.Identity.ManagedIdentityCredential>(connection.CreateCredential());
        Assert.DoesNotContain("AccountKey", connection.ToString());
    }

    [TestMethod]
    public void AddPipelineStorage_ServiceUris_RegistersClientsOnThoseEndpointsWithTheBase64QueueEncoding()
    {
        var configuration = Config(
            ("AzureWebJobsStorage__tableServiceUri", "https://st1.table.core.windows.net"),
            ("AzureWebJobsStorage__queueServiceUri", "https://st1.queue.core.windows.net"),
            ("AzureWebJobsStorage__blobServiceUri", "https://st1.blob.core.windows.net"),
            ("AzureWebJobsStorage__credential", "managedidentity"));

        using var provider = new ServiceCollection().AddPipelineStorage(configuration).BuildServiceProvider();

        Assert.AreEqual("st1.table.core.windows.net", provider.GetRequiredService<TableServiceClient>().Uri.Host);
        Assert.AreEqual("st1.queue.core.windows.net", provider.GetRequiredService<QueueServiceClient>().Uri.Host);
        Assert.AreEqual("st1.blob.core.windows.net", provider.GetRequiredService<BlobServiceClient>().Uri.Host);
        Assert.AreEqual("st1", provider.GetRequiredService<QueueServiceClient>().AccountName);
        Assert.IsNotNull(provider.GetRequiredService<StorageAccount>());
    }

    [TestMethod]
    [DataRow("AzureWebJobsStorage", "not a connection string", "AzureWebJobsStorage is not a usable storage connection string")]
    [DataRow("AzureWebJobsStorage__accountName", "Bad_Name!", "AzureWebJobsStorage__accountName 'Bad_Name!' is not a storage account name")]
    [DataRow("AzureWebJobsStorage__tableServiceUri", "table.example", "AzureWebJobsStorage__tableServiceUri 'table.example' is not an absolute http(s) URL")]
    [DataRow("AzureWebJobsStorage__credential", "password", "AzureWebJobsStorage__credential 'password' is not supported")]
    [DataRow("AzureWebJobsStorage__clientId", "me", "AzureWebJobsStorage__clientId 'me' is not a client id")]
    [DataRow("AzureWebJobsStorage__accountname_typo", "x", "AzureWebJobsStorage__accountname_typo is not a setting the pipeline reads")]
    public void AddPipelineStorage_UnusableSetting_StopsStartUpNamingIt(string setting, string value, string expected)
    {
        var values = new List<(string, string)> { (setting, value) };
        if (setting.EndsWith("credential", StringComparison.Ordinal) || setting.EndsWith("clientId", StringComparison.Ordinal))
        {
            values.Add(("AzureWebJobsStorage__accountName", "stdisclosure01"));
        }

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new ServiceCollection().AddPipelineStorage(Config([.. values])));

        Assert.Contains(expected, error.Message);
    }

    [TestMethod]
    public void FromConfiguration_OnlySomeServiceUris_NamesTheMissingOne()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => StorageConnection.FromConfiguration(Config(
            ("AzureWebJobsStorage__tableServiceUri", "https://st1.table.core.windows.net"),
            ("AzureWebJobsStorage__queueServiceUri", "https://st1.queue.core.windows.net"))));

        Assert.StartsWith("AzureWebJobsStorage__blobServiceUri is required", error.Message);
    }

    [TestMethod]
    public void FromConfiguration_ConnectionStringAndIdentitySettings_IsRefused()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => StorageConnection.FromConfiguration(Config(
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true"),
            ("AzureWebJobsStorage__accountName", "stdisclosure01"))));

        Assert.Contains("use one form", error.Message);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AddPipelineStorage_ConnectionStringSetting_StoresAndReadsThroughTheSameClients()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        await using var provider = new ServiceCollection()
            .AddPipelineStorage(Config(("AzureWebJobsStorage", azurite.ConnectionString)), StorageNames.Unique())
            .BuildServiceProvider();
        var entity = TestIds.Entity(TestIds.Uscc(5));

        await provider.GetRequiredService<IEntityStore>().SaveRegistryFieldsAsync([entity], ct);

        Assert.AreEqual(entity.Name, (await provider.GetRequiredService<IEntityStore>().GetAsync(entity.Id, ct))!.Name);
        Assert.AreEqual(azurite.TablePort, provider.GetRequiredService<TableServiceClient>().Uri.Port);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();
}
