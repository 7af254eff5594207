using System.Text;
using Microsoft.WindowsAzure.Storage;
using Microsoft.WindowsAzure.Storage.Queue;
using Newtonsoft.Json.Linq;

namespace FunctionsHost;

/// <summary>
/// Polls a storage queue with the Queues extension's semantics: batches of <c>batchSize</c>, a new
/// batch once in-flight work drops to <c>newBatchThreshold</c>, fast polling while messages come and
/// back-off up to <c>maxPollingInterval</c> when the queue is empty. A message stays invisible while
/// it is processed; on success it is deleted, on failure it reappears after <c>visibilityTimeout</c>,
/// and after <c>maxDequeueCount</c> tries it is copied, body intact, to <c>{queue}-poison</c>.
/// </summary>
internal sealed class QueueListener : ITriggerListener
{
    /// <summary>How long a fetched message stays invisible; renewed at half time while it is processed.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly QueueTrigger trigger;
    private readonly QueuesOptions options;
    private readonly CloudQueue queue;
    private readonly CloudQueue poisonQueue;
    private readonly InvocationClient invoker;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly object gate = new();
    private readonly HashSet<Task> inFlight = [];
    private TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QueueListener(FunctionDefinition function, QueuesOptions options, InvocationClient invoker, HostLoggers logs, TimeProvider clock)
    {
        Function = function;
        trigger = (QueueTrigger)function.Trigger;
        this.options = options;
        var client = CloudStorageAccount.Parse(trigger.ConnectionString).CreateCloudQueueClient();
        // Raw text in and out: this class does the base64 step itself, so that a message that is not
        // valid base64 can go to the poison queue and a poison copy keeps the exact original body.
        queue = client.GetQueueReference(trigger.QueueName);
        queue.EncodeMessage = false;
        poisonQueue = client.GetQueueReference(PoisonQueueName(trigger.QueueName));
        poisonQueue.EncodeMessage = false;
        this.invoker = invoker;
        this.logs = logs;
        this.clock = clock;
    }

    public FunctionDefinition Function { get; }

    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    /// <summary>
    /// The payload for one message, as the host builds it: the message text double-encoded in Data,
    /// and in Metadata DequeueCount as a string, Id and PopReceipt double-encoded, the times to whole
    /// seconds, the top-level properties of a JSON-object message, and sys.
    /// </summary>
    public static (JObject Data, JObject Metadata) Payload(
        string functionName, string bindingName, string text, string id, string popReceipt, int dequeueCount,
        DateTimeOffset? insertionTime, DateTimeOffset? expirationTime, DateTimeOffset? nextVisibleTime, DateTimeOffset utcNow)
    {
        var bindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["QueueTrigger"] = text,
            ["DequeueCount"] = (long)dequeueCount,
            ["ExpirationTime"] = expirationTime,
            ["Id"] = id,
            ["InsertionTime"] = insertionTime,
            ["NextVisibleTime"] = nextVisibleTime,
            ["PopReceipt"] = popReceipt,
        };
        InvocationPayload.ApplyBindingData(text, bindingData);
        return (new JObject { [bindingName] = InvocationPayload.Encode(text) }, InvocationPayload.Metadata(bindingData, functionName, utcNow));
    }

    /// <summary>The text of a message as it is stored, for a body the function should receive.</summary>
    public string EncodeBody(string body) => options.Base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var minimum = options.MaxPollingInterval < QueuesOptions.MinimumPollingInterval ? options.MaxPollingInterval : QueuesOptions.MinimumPollingInterval;
        var delay = minimum;
        var queueReady = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await WaitForCapacityAsync(cancellationToken);
                IReadOnlyList<CloudQueueMessage> batch;
                try
                {
                    if (!queueReady)
                    {
                        await queue.CreateIfNotExistsAsync(null, null, cancellationToken);
                        queueReady = true;
                    }

                    batch = [.. await queue.GetMessagesAsync(options.BatchSize, Lease, null, null, cancellationToken)];
                }
                catch (StorageException ex)
                {
                    queueReady = ex.RequestInformation?.HttpStatusCode != 404 && queueReady;
                    HostLog.PollFailed(logs.Function(Function.Name), trigger.QueueName, ex.Message);
                    batch = [];
                }

                if (batch.Count > 0)
                {
                    delay = minimum;
                    foreach (var message in batch)
                    {
                        Track(ProcessAsync(message, cancellationToken));
                    }

                    continue;
                }

                await Task.Delay(delay, clock, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollingInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        Task[] remaining;
        lock (gate)
        {
            remaining = [.. inFlight];
        }

        await Task.WhenAll(remaining);
    }

    public async Task RunNowAsync(string? input, CancellationToken cancellationToken)
    {
        // The admin API's input becomes a message on the function's queue: the function then sees an
        // ordinary message, with real metadata.
        await queue.CreateIfNotExistsAsync(null, null, cancellationToken);
        await queue.AddMessageAsync(new CloudQueueMessage(EncodeBody(input ?? string.Empty)), null, null, null, null, cancellationToken);
    }

    private void Track(Task task)
    {
        lock (gate)
        {
            inFlight.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                TaskCompletionSource signal;
                lock (gate)
                {
                    inFlight.Remove(t);
                    signal = completed;
                    completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                signal.TrySetResult();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (gate)
            {
                if (inFlight.Count <= options.NewBatchThreshold)
                {
                    return;
                }

                signal = completed.Task;
            }

            await signal.WaitAsync(cancellationToken);
        }
    }

    private async Task ProcessAsync(CloudQueueMessage message, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var logger = logs.Function(Function.Name);
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, cancellationToken);
                return;
            }

            var raw = message.AsString;
            string text;
            if (options.Base64)
            {
                try
                {
                    text = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
                }
                catch (FormatException)
                {
                    HostLog.NotBase64(logger, message.Id, trigger.QueueName, poisonQueue.Name);
                    await MoveToPoisonAsync(message, cancellationToken, log: false);
                    return;
                }
            }
            else
            {
                text = raw;
            }

            var (data, metadata) = Payload(Function.Name, trigger.BindingName, text, message.Id, message.PopReceipt, message.DequeueCount,
                message.InsertionTime, message.ExpirationTime, message.NextVisibleTime, clock.GetUtcNow());
            HostLog.QueueTriggerDetails(logger, message.Id, message.DequeueCount, message.InsertionTime);

            bool succeeded;
            using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var renewing = KeepInvisibleAsync(message, renewal.Token);
                try
                {
                    succeeded = await invoker.InvokeAsync(Function.Name, $"New queue message detected on '{trigger.QueueName}'.", data, metadata, cancellationToken);
                }
                finally
                {
                    await renewal.CancelAsync();
                    await renewing;
                }
            }

            if (succeeded)
            {
                await DeleteAsync(message, cancellationToken);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message, options.VisibilityTimeout, MessageUpdateFields.Visibility, null, null, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping mid-invocation: hand the message back now rather than after the lease.
            await TryReleaseAsync(message);
        }
        catch (StorageException ex)
        {
            HostLog.QueueProcessingError(logger, trigger.QueueName, ex.Message);
        }
    }

    private async Task KeepInvisibleAsync(CloudQueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 2, clock, cancellationToken);
                await queue.UpdateMessageAsync(message, Lease, MessageUpdateFields.Visibility, null, null, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Processing finished.
        }
        catch (StorageException ex)
        {
            HostLog.QueueProcessingError(logs.Function(Function.Name), trigger.QueueName, "renewing a message's visibility failed: " + ex.Message);
        }
    }

    private async Task MoveToPoisonAsync(CloudQueueMessage message, CancellationToken cancellationToken, bool log = true)
    {
        if (log)
        {
            HostLog.MovedToPoison(logs.Function(Function.Name), message.Id, options.MaxDequeueCount, poisonQueue.Name);
        }

        await poisonQueue.CreateIfNotExistsAsync(null, null, cancellationToken);
        await poisonQueue.AddMessageAsync(new CloudQueueMessage(message.AsString), null, null, null, null, cancellationToken);
        await DeleteAsync(message, cancellationToken);
    }

    private async Task DeleteAsync(CloudQueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(message.Id, message.PopReceipt, null, null, cancellationToken);
        }
        catch (StorageException ex) when (ex.RequestInformation?.HttpStatusCode == 404)
        {
            // Already gone (its lease ran out and another run deleted it): nothing left to do.
        }
    }

    private async Task TryReleaseAsync(CloudQueueMessage message)
    {
        try
        {
            await queue.UpdateMessageAsync(message, TimeSpan.Zero, MessageUpdateFields.Visibility, null, null, CancellationToken.None);
        }
        catch (StorageException)
        {
            // Best effort: otherwise it reappears when its lease ends.
        }
    }
}
