using EdgeAgent.Drift;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Pipeline.Journal;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Publish;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Health;

/// <summary>
/// What the Sparkplug edge node reports, from where the heartbeat takes it: the <see cref="HealthMonitor"/>'s state,
/// the default model, the <see cref="AgentMetrics"/> pair counters (through the same <see cref="MetricsReader"/>),
/// the outbox backlog its gauge reports, the drift alarms, and the last verdict the journal stored (durably: its id is one a
/// consumer of the JSON verdict topic gets).
/// </summary>
public sealed class SparkplugReadings : ISparkplugSource
{
    private readonly HealthMonitor _monitor;
    private readonly MetricsReader _metrics;
    private readonly OutboxGate _outbox;
    private readonly ActiveModels _models;
    private readonly DriftMonitor _drift;
    private readonly bool _driftEnabled;
    private SparkplugVerdict? _last;

    public SparkplugReadings(HealthMonitor monitor, MetricsReader metrics, OutboxGate outbox, ActiveModels models, DriftMonitor drift, IOptions<DriftOptions> driftOptions, JournalWriter journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        (_monitor, _metrics, _outbox, _models, _drift) = (monitor, metrics, outbox, models, drift);
        _driftEnabled = driftOptions?.Value.Enabled ?? throw new ArgumentNullException(nameof(driftOptions));
        journal.Stored += OnStored;
    }

    /// <inheritdoc/>
    public SparkplugReading Read()
    {
        var alarms = _drift.Alarms.Count;
        return new SparkplugReading(
            _monitor.Evaluate().State,
            DefaultModel(_models),
            new SparkplugCounts(Pairs(null), Pairs("OK"), Pairs("NG"), Pairs("REVIEW"), Pairs("ERROR")),
            _outbox.Backlog,
            new SparkplugDrift(!_driftEnabled ? "off" : alarms > 0 ? "drifting" : "stable", alarms),
            Volatile.Read(ref _last));
    }

    private long Pairs(string? verdict) => (long)_metrics.Sum(AgentMetrics.Pairs, verdict is null ? null : t => t["verdict"] == verdict);

    private static SparkplugModel DefaultModel(ActiveModels models)
    {
        var (name, version, provider) = models.DefaultInService();
        return new SparkplugModel(name, version, provider);
    }

    // On the journal's thread, after the batch is on disk; the node reads it from its own loop.
    private void OnStored(IReadOnlyList<JudgedPair> batch)
    {
        if (batch.Count > 0 && batch[^1].Verdict is var v)
        {
            Volatile.Write(ref _last, new SparkplugVerdict(v.Id, AgentMetrics.VerdictTag(v.Outcome), v.Score, v.Product, v.JudgedAt));
        }
    }
}
