using System.Diagnostics;
using System.Text.Json;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Benchmark;

/// <summary>What draining one run's batches took.</summary>
internal sealed record DrainResult(
    TimeSpan LastBatchFinishedAt,
    int BatchesProcessed,
    int BatchFailures,
    int EntitiesWritten,
    int CasesOpened,
    int CasesUpdated,
    SyncRun Run,
    IReadOnlyList<double> BatchSeconds);

/// <summary>
/// Drains the <c>sync-batches</c> queue the way the Functions host runs <c>SyncSupplierBatch</c>:
/// fetch <c>batchSize</c> messages whenever in-flight work is at or below <c>newBatchThreshold</c>, poll
/// fast while messages come and back off to <c>maxPollingInterval</c> when the queue is empty, process
/// each message with <see cref="SyncBatchProcessor.ProcessAsync"/>, delete it on success and let it
/// reappear after <c>visibilityTimeout</c> on failure. Stops when the run is no longer running.
/// </summary>
internal sealed class QueueDrainer(
    QueueClient queue,
    SyncBatchProcessor processor,
    ISyncRunStore runs,
    HostQueueSettings settings)
{
    private readonly Lock gate = new();
    private readonly HashSet<Task> inFlight = [];
    private readonly List<double> batchSeconds = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int processed;
    private int failures;
    private int entitiesWritten;
    private int casesOpened;
    private int casesUpdated;
    private long lastFinishedTicks;
    private Exception? fatal;

    /// <summary>Batches processed so far (for progress lines).</summary>
    public int Processed => Volatile.Read(ref processed);

    /// <summary>Failed deliveries so far.</summary>
    public int Failures => Volatile.Read(ref failures);

    public async Task<DrainResult> DrainAsync(string runId, Stopwatch clock, CancellationToken cancellationToken)
    {
        var delay = HostQueueSettings.MinimumPollingInterval;
        while (true)
        {
            await WaitForCapacityAsync(cancellationToken);
            ThrowIfFatal();
            QueueMessage[] batch;
            using (StorageCounter.As(Origin.Host))
            {
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, HostQueueSettings.Lease, cancellationToken)).Value;
            }

            if (batch.Length > 0)
            {
                delay = HostQueueSettings.MinimumPollingInterval;
                foreach (var message in batch)
                {
                    Track(ProcessAsync(message, clock, cancellationToken));
                }

                continue;
            }

            ThrowIfFatal();
            if (InFlightCount == 0)
            {
                SyncRun? run;
                using (StorageCounter.As(Origin.Monitor))
                {
                    run = await runs.GetAsync(runId, cancellationToken);
                }

                if (run is null)
                {
                    throw new InvalidOperationException($"run {runId} does not exist");
                }

                if (run.Status != SyncRunStatus.Running)
                {
                    lock (gate)
                    {
                        return new DrainResult(
                            TimeSpan.FromTicks(Interlocked.Read(ref lastFinishedTicks)),
                            processed,
                            failures,
                            entitiesWritten,
                            casesOpened,
                            casesUpdated,
                            run,
                            [.. batchSeconds]);
                    }
                }
            }

            // The host backs off while the queue is empty; wake early when work finishes, so the end of
            // the run is noticed without a polling artefact (the wall time is taken from the last batch anyway).
            Task wake;
            lock (gate)
            {
                wake = changed.Task;
            }

            await Task.WhenAny(Task.Delay(delay, cancellationToken), wake);
            cancellationToken.ThrowIfCancellationRequested();
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
        }
    }

    private void ThrowIfFatal()
    {
        lock (gate)
        {
            if (fatal is not null)
            {
                throw new InvalidOperationException("draining stopped: " + fatal.Message, fatal);
            }
        }
    }

    private int InFlightCount
    {
        get
        {
            lock (gate)
            {
                return inFlight.Count;
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message, Stopwatch clock, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var started = clock.Elapsed;
        try
        {
            var batch = JsonSerializer.Deserialize<SyncBatchMessage>(message.Body.ToString(), JsonSerializerOptions.Web)
                ?? throw new InvalidOperationException("empty batch message");
            SyncBatchOutcome outcome;
            using (StorageCounter.As(Origin.Processor))
            {
                outcome = await processor.ProcessAsync(batch, cancellationToken);
            }

            var finished = clock.Elapsed;
            using (StorageCounter.As(Origin.Host))
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }

            lock (gate)
            {
                processed++;
                entitiesWritten += outcome.EntitiesWritten;
                casesOpened += outcome.CasesOpened;
                casesUpdated += outcome.CasesUpdated;
                batchSeconds.Add((finished - started).TotalSeconds);
                if (finished.Ticks > lastFinishedTicks)
                {
                    Interlocked.Exchange(ref lastFinishedTicks, finished.Ticks);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref failures);
            await Console.Error.WriteLineAsync($"  batch message {message.MessageId} (delivery {message.DequeueCount}) failed: {ex.GetType().Name}: {ex.Message}");
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                throw new InvalidOperationException($"a batch failed {message.DequeueCount} times; the host would move it to the poison queue", ex);
            }

            using (StorageCounter.As(Origin.Host))
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (BinaryData?)null, settings.VisibilityTimeout, cancellationToken);
            }
        }
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
                    signal = changed;
                    changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                if (t.IsFaulted)
                {
                    fatal ??= t.Exception?.GetBaseException();
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
                if (inFlight.Count <= settings.NewBatchThreshold)
                {
                    return;
                }

                signal = changed.Task;
            }

            await signal.WaitAsync(cancellationToken);
        }
    }
}
