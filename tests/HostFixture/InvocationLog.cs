using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;

namespace HostFixture;

/// <summary>
/// Appends one JSON line per invocation to <c>{directory}/{Function}.jsonl</c>: what the function
/// received, so tests can assert what the host sent. No directory: nothing is written.
/// </summary>
public sealed class InvocationLog(string? directory)
{
    private readonly Lock gate = new();

    public string? Directory => directory;

    public void Append(string function, JsonObject record)
    {
        if (directory is null)
        {
            return;
        }

        lock (gate)
        {
            File.AppendAllText(Path.Combine(directory, function + ".jsonl"), record.ToJsonString() + "\n");
        }
    }

    /// <summary>The invocation's binding data (trigger metadata) as the function sees it: every value a string.</summary>
    public static JsonObject BindingData(FunctionContext context)
    {
        var data = new JsonObject();
        foreach (var (key, value) in context.BindingContext.BindingData)
        {
            data[key] = value?.ToString();
        }

        return data;
    }
}
