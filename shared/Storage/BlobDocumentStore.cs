using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DisclosurePipeline.Storage;

/// <summary><see cref="IDocumentStore"/> over block blobs; the container is a logical name (see <see cref="StorageNames"/>).</summary>
internal sealed class BlobDocumentStore(StorageAccount account) : IDocumentStore
{
    public async Task UploadAsync(string container, string path, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string container, string path, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        return await blob.ExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(container, path, cancellationToken).ConfigureAwait(false);
        try
        {
            return await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private async Task<BlobClient> BlobAsync(string container, string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var blobs = await account.GetContainerAsync(container, cancellationToken).ConfigureAwait(false);
        return blobs.GetBlobClient(path);
    }
}
