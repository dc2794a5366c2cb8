using System.Diagnostics.Metrics;

namespace EdgeAgent.Telemetry;

/// <summary>
/// Reads <see cref="AgentMetrics"/>' instruments back in-process (the heartbeat, <c>bench</c>, tests), so those
/// report the very numbers an exporter would, not a parallel set of counters. Listens to that one
/// <see cref="Meter"/> instance only. Keeps, per instrument and tag set, the number of measurements, their sum
/// and the last value: enough for totals, means and gauges, in constant memory. Sees what is recorded after it
/// was created.
/// </summary>
public sealed class MetricsReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Instrument, string Tags), Accumulator> _series = [];

    /// <summary>Starts listening to <paramref name="metrics"/>.</summary>
    public MetricsReader(AgentMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    /// <summary>Sum of all values of <paramref name="instrument"/> (a counter's total) over the series <paramref name="where"/> accepts.</summary>
    public double Sum(string instrument, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        Select(instrument, where).Sum(s => s.Sum);

    /// <summary>Number of measurements of <paramref name="instrument"/> (a histogram's count) over the accepted series.</summary>
    public long Count(string instrument, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        Select(instrument, where).Sum(s => s.Count);

    /// <summary>Asks the observable instruments (gauges) for their values now, then sums the last value of the accepted series.</summary>
    public double Gauge(string instrument, Func<IReadOnlyDictionary<string, string>, bool>? where = null)
    {
        _listener.RecordObservableInstruments();
        return Select(instrument, where).Sum(s => s.Last);
    }

    /// <summary>Every series of <paramref name="instrument"/>: its tags, count, sum and last value.</summary>
    public IReadOnlyList<Series> All(string instrument) => Select(instrument, null);

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private List<Series> Select(string instrument, Func<IReadOnlyDictionary<string, string>, bool>? where)
    {
        lock (_gate)
        {
            return [.. _series.Where(s => s.Key.Instrument == instrument && (where is null || where(s.Value.Tags))).Select(s => s.Value.Snapshot())];
        }
    }

    // Called on the recording thread for every measurement (several per pair): one key string, and the tag map
    // only the first time a series is seen. The key keeps the recording site's tag order, which each site fixes.
    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name, TagKey(tags));
        lock (_gate)
        {
            if (!_series.TryGetValue(key, out var series))
            {
                series = new Accumulator(TagMap(tags));
                _series[key] = series;
            }

            series.Add(value);
        }
    }

    private static string TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length switch
    {
        0 => string.Empty,
        1 => string.Concat(tags[0].Key, "=", tags[0].Value?.ToString()),
        _ => string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")),
    };

    private static SortedDictionary<string, string> TagMap(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, tag) in tags)
        {
            map[name] = tag?.ToString() ?? string.Empty;
        }

        return map;
    }

    /// <summary>One tag set of an instrument: how many measurements, their sum, and the last one.</summary>
    public sealed record Series(IReadOnlyDictionary<string, string> Tags, long Count, double Sum, double Last);

    // Mutated in place under the reader's lock; readers get a Series copy.
    private sealed class Accumulator(IReadOnlyDictionary<string, string> tags)
    {
        private long _count;
        private double _sum;
        private double _last;

        public IReadOnlyDictionary<string, string> Tags { get; } = tags;

        public void Add(double value) => (_count, _sum, _last) = (_count + 1, _sum + value, value);

        public Series Snapshot() => new(Tags, _count, _sum, _last);
    }
}
