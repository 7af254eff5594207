using Microsoft.WindowsAzure.Storage;
using Microsoft.WindowsAzure.Storage.Blob;

namespace DisclosurePipeline.Storage;

/// <summary><see cref="IDocumentStore"/> over block blobs; the container is a logical name (see <see cref="StorageNames"/>).</summary>
internal sealed class BlobDocumentStore(StorageAccount account) : IDocumentStore
{
    public async Task UploadAsync(string container, string path, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        blob.Properties.ContentType = contentType;
        await blob.UploadFromStreamAsync(content, null, null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string container, string path, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        return await blob.ExistsAsync(null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        try
        {
            return await blob.OpenReadAsync(null, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.RequestInformation?.HttpStatusCode == 404)
        {
            return null;
        }
    }

    private async Task<CloudBlockBlob> BlobAsync(string container, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var blobs = await account.GetContainerAsync(container, cancellationToken).ConfigureAwait(false);
        return blobs.GetBlockBlobReference(path);
    }
}
