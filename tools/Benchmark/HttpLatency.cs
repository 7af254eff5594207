using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Benchmark;

/// <summary>
/// Client-side duration of every HTTP request this process makes, by server port, from .NET's own
/// <c>System.Net.Http</c> meter (<c>http.client.request.duration</c>): the storage SDKs and the public
/// data client are observed without changing how they are wired.
/// </summary>
internal sealed class HttpLatency : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<int, Aggregate> byPort = new();

    public HttpLatency()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>(OnMeasurement);
        listener.Start();
    }

    /// <summary>Count and total seconds per port so far.</summary>
    public IReadOnlyDictionary<int, (long Count, double Seconds)> Snapshot() =>
        byPort.ToDictionary(p => p.Key, p => p.Value.Read());

    public void Dispose() => listener.Dispose();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var port = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == "server.port" && tag.Value is int p)
            {
                port = p;
            }
        }

        byPort.GetOrAdd(port, _ => new Aggregate()).Add(seconds);
    }

    private sealed class Aggregate
    {
        private readonly Lock gate = new();
        private long count;
        private double seconds;

        public void Add(double value)
        {
            lock (gate)
            {
                count++;
                seconds += value;
            }
        }

        public (long Count, double Seconds) Read()
        {
            lock (gate)
            {
                return (count, seconds);
            }
        }
    }
}
