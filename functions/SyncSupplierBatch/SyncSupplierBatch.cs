using System.Text.Json;
using DisclosurePipeline.Functions.Protocol;
using DisclosurePipeline.Sync;

namespace DisclosurePipeline.Functions.SyncSupplierBatch;

/// <summary>
/// Queue: syncs one batch. A failure fails the invocation so the host redelivers it; on the last
/// delivery (<c>maxDequeueCount</c>) the batch is first recorded as failed in its run, then the
/// message goes on to the poison queue — counted, never silently dropped.
/// </summary>
internal sealed partial class SyncSupplierBatchFunction(
    SyncBatchProcessor processor,
    HostQueueSettings queueSettings,
    ILogger<SyncSupplierBatchFunction> logger) : ITriggeredFunction
{
    public const string Name = "SyncSupplierBatch";

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var batch = ReadMessage(request);
        var dequeueCount = request.MetadataInt("DequeueCount") ?? 1;
        SyncBatchOutcome outcome;
        try
        {
            outcome = await processor.ProcessAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && dequeueCount >= queueSettings.MaxDequeueCount)
        {
            try
            {
                await processor.RecordFailedAsync(batch, cancellationToken);
            }
            catch (Exception recordError) when (recordError is not OperationCanceledException)
            {
                Log.CouldNotRecordFailure(logger, batch.RunId, batch.BatchNumber, recordError);
            }

            throw;
        }

        var response = new InvocationResponse();
        response.Logs.Add($"run {batch.RunId} batch {batch.BatchNumber}: {outcome.EntitiesSynced} synced, {outcome.EntitiesFailed} failed, {outcome.CasesOpened} cases opened, {outcome.CasesUpdated} updated");
        return response;
    }

    private static SyncBatchMessage ReadMessage(InvocationRequest request)
    {
        var node = request.Data("batch") ?? throw new InvalidInvocationException("the queue message is missing");
        try
        {
            var message = node.Deserialize<SyncBatchMessage>(JsonSerializerOptions.Web);
            if (message is { RunId.Length: > 0, Shard.Length: > 0, Ids: not null })
            {
                return message;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException("the queue message is not a sync batch: " + ex.Message);
        }

        throw new InvalidInvocationException("the queue message is not a sync batch");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "Could not record run {RunId} batch {BatchNumber} as failed")]
        public static partial void CouldNotRecordFailure(ILogger logger, string runId, int batchNumber, Exception exception);
    }
}
