using System.Collections.Concurrent;
using Azure.Storage.Queues;
using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>
/// Applies a successful invocation's queue output bindings as the host does: each named output
/// (<c>output_data</c>) or the <c>$return</c> value (<c>return_value</c>) is split into messages
/// (<see cref="RpcValues.QueueMessages"/>) and each is added to its queue (created if missing),
/// encoded per <c>messageEncoding</c>.
/// </summary>
internal sealed class QueueOutputWriter
{
    private readonly QueuesOptions options;
    private readonly ConcurrentDictionary<(string Connection, string Queue), Lazy<Task<QueueClient>>> clients = new();

    public QueueOutputWriter(AppDefinition app)
    {
        ArgumentNullException.ThrowIfNull(app);
        options = app.Queues;
    }

    /// <summary>The messages each queue output of a response becomes, by output.</summary>
    public static IEnumerable<(QueueOutput Output, IReadOnlyList<byte[]> Messages)> Split(FunctionDefinition function, InvocationResponse response)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(response);
        foreach (var output in function.QueueOutputs)
        {
            var data = output.Name == FunctionDefinition.ReturnBindingName
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(o => string.Equals(o.Name, output.Name, StringComparison.Ordinal))?.Data;
            var messages = RpcValues.QueueMessages(RpcValues.ToObject(data));
            if (messages.Count > 0)
            {
                yield return (output, messages);
            }
        }
    }

    public async Task WriteAsync(FunctionDefinition function, InvocationResponse response, CancellationToken cancellationToken)
    {
        foreach (var (output, messages) in Split(function, response))
        {
            var key = (output.ConnectionString, output.QueueName);
            var creating = clients.GetOrAdd(key, k => new Lazy<Task<QueueClient>>(() => CreateAsync(k.Connection, k.Queue, cancellationToken)));
            QueueClient client;
            try
            {
                client = await creating.Value;
            }
            catch
            {
                // Not kept: the next invocation tries to create the queue again.
                clients.TryRemove(new KeyValuePair<(string, string), Lazy<Task<QueueClient>>>(key, creating));
                throw;
            }

            foreach (var message in messages)
            {
                await client.SendMessageAsync(BinaryData.FromBytes(message), cancellationToken: cancellationToken);
            }
        }
    }

    private async Task<QueueClient> CreateAsync(string connectionString, string queueName, CancellationToken cancellationToken)
    {
        var client = new QueueClient(connectionString, queueName, new QueueClientOptions
        {
            MessageEncoding = options.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None,
        });
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return client;
    }
}
