using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>
/// Polls a storage queue with the Queues extension's semantics: batches of <c>batchSize</c>, a new
/// batch once in-flight work drops to <c>newBatchThreshold</c>, fast polling while messages come and
/// back-off up to <c>maxPollingInterval</c> when the queue is empty. A message stays invisible while
/// it is processed; on success it is deleted, on failure it is never deleted but made visible again
/// after <c>visibilityTimeout</c>, and after <c>maxDequeueCount</c> tries it is copied, body intact,
/// to <c>{queue}-poison</c>.
/// </summary>
internal sealed class QueueListener : ITriggerListener
{
    /// <summary>How long a fetched message stays invisible; renewed at half time while it is processed.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly QueueTrigger trigger;
    private readonly QueuesOptions options;
    private readonly QueueClient queue;
    private readonly QueueClient poisonQueue;
    private readonly FunctionInvoker invoker;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private readonly HashSet<Task> inFlight = [];
    private TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QueueListener(FunctionDefinition function, QueuesOptions options, FunctionInvoker invoker, HostLoggers logs, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(function);
        Function = function;
        trigger = (QueueTrigger)function.Trigger;
        this.options = options;
        // Raw text in and out: this class does the base64 step itself, so that a message that is not
        // valid base64 can go to the poison queue and a poison copy keeps the exact original body.
        var raw = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        queue = new QueueClient(trigger.ConnectionString, trigger.QueueName, raw);
        poisonQueue = new QueueClient(trigger.ConnectionString, PoisonQueueName(trigger.QueueName), raw);
        this.invoker = invoker;
        this.logs = logs;
        this.clock = clock;
    }

    public FunctionDefinition Function { get; }

    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    /// <summary>
    /// The trigger metadata for one message, as the host builds it: QueueTrigger (the text), DequeueCount,
    /// Id, PopReceipt, the three times (defaults: now, and max for the other two), then the top-level
    /// properties of a JSON-object message (overwriting same-named keys).
    /// </summary>
    public static Dictionary<string, object?> BindingData(
        string? text, string id, string popReceipt, long dequeueCount,
        DateTimeOffset? insertionTime, DateTimeOffset? expirationTime, DateTimeOffset? nextVisibleTime, DateTimeOffset utcNow)
    {
        var data = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["QueueTrigger"] = text,
            ["DequeueCount"] = dequeueCount,
            ["ExpirationTime"] = expirationTime ?? DateTimeOffset.MaxValue,
            ["Id"] = id,
            ["InsertionTime"] = insertionTime ?? utcNow,
            ["NextVisibleTime"] = nextVisibleTime ?? DateTimeOffset.MaxValue,
            ["PopReceipt"] = popReceipt,
        };
        if (text is not null)
        {
            RpcValues.ApplyBindingData(text, data);
        }

        return data;
    }

    /// <summary>The text of a message as it is stored, for a body the function should receive.</summary>
    public string EncodeBody(string body) => options.Base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            HostLog.PollFailed(logs.Function(Function.Name), trigger.QueueName, ex.Message);
        }
    }

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
                QueueMessage[] batch;
                try
                {
                    if (!queueReady)
                    {
                        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                        queueReady = true;
                    }

                    batch = (await queue.ReceiveMessagesAsync(options.BatchSize, Lease, cancellationToken)).Value;
                }
                catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
                {
                    queueReady = StorageErrors.Status(ex) != 404 && queueReady;
                    HostLog.PollFailed(logs.Function(Function.Name), trigger.QueueName, StorageErrors.Describe(ex));
                    batch = [];
                }

                if (batch.Length > 0)
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
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await queue.SendMessageAsync(EncodeBody(input ?? string.Empty), cancellationToken);
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

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var logger = logs.Function(Function.Name);
        var receipt = new Receipt(message.PopReceipt);
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, receipt, cancellationToken);
                return;
            }

            var raw = message.MessageText;
            byte[] body;
            if (options.Base64)
            {
                try
                {
                    body = Convert.FromBase64String(raw);
                }
                catch (FormatException)
                {
                    HostLog.NotBase64(logger, message.MessageId, trigger.QueueName, poisonQueue.Name);
                    await MoveToPoisonAsync(message, receipt, cancellationToken, log: false);
                    return;
                }
            }
            else
            {
                body = Encoding.UTF8.GetBytes(raw);
            }

            string? text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
            }
            catch (ArgumentException)
            {
                text = null;
            }

            var bindingData = BindingData(text, message.MessageId, message.PopReceipt, message.DequeueCount,
                message.InsertedOn, message.ExpiresOn, message.NextVisibleOn, clock.GetUtcNow());
            var input = new ParameterBinding { Name = trigger.BindingName, Data = new TypedData { String = text ?? Encoding.UTF8.GetString(body) } };
            HostLog.QueueTriggerDetails(logger, message.MessageId, message.DequeueCount, message.InsertedOn);

            InvocationOutcome outcome;
            using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var renewing = KeepInvisibleAsync(message, receipt, renewal.Token);
                try
                {
                    outcome = await invoker.InvokeAsync(Function, $"New queue message detected on '{trigger.QueueName}'.", [input], bindingData, cancellationToken);
                }
                finally
                {
                    await renewal.CancelAsync();
                    await renewing;
                }
            }

            if (outcome.Succeeded)
            {
                await DeleteAsync(message, receipt, cancellationToken);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, receipt, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: options.VisibilityTimeout, cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping mid-invocation: hand the message back now rather than after the lease.
            await TryReleaseAsync(message, receipt);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            HostLog.QueueProcessingError(logger, trigger.QueueName, StorageErrors.Describe(ex));
        }
    }

    private async Task KeepInvisibleAsync(QueueMessage message, Receipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 2, clock, cancellationToken);
                var updated = await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: Lease, cancellationToken: cancellationToken);
                receipt.Value = updated.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
            // Processing finished.
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            HostLog.QueueProcessingError(logs.Function(Function.Name), trigger.QueueName, "renewing a message's visibility failed: " + ex.Message);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, Receipt receipt, CancellationToken cancellationToken, bool log = true)
    {
        if (log)
        {
            HostLog.MovedToPoison(logs.Function(Function.Name), message.MessageId, options.MaxDequeueCount, poisonQueue.Name);
        }

        await poisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poisonQueue.SendMessageAsync(message.MessageText, cancellationToken);
        await DeleteAsync(message, receipt, cancellationToken);
    }

    private async Task DeleteAsync(QueueMessage message, Receipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, receipt.Value, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone (its lease ran out and another run deleted it): nothing left to do.
        }
    }

    private async Task TryReleaseAsync(QueueMessage message, Receipt receipt)
    {
        try
        {
            await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            // Best effort: otherwise it reappears when its lease ends.
        }
    }

    /// <summary>A message's current pop receipt (each visibility update issues a new one).</summary>
    private sealed class Receipt(string value)
    {
        public string Value { get; set; } = value;
    }
}
