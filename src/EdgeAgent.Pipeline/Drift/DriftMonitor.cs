using EdgeAgent.Drift;
using EdgeAgent.Publish;
using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Drift;

/// <summary>
/// Watches the stored verdicts for drift (<see cref="DriftDetector"/>) and stores what it raises in the event outbox,
/// from where the publisher sends it. Fed by the journal writer after each stored batch, on its thread, so the log
/// keeps one writer. It reads verdicts, never changes one. Starts after the journal (registration order) and resumes
/// the persisted charts, so a restart neither forgets an alarm nor learns a new reference from drifted pairs.
/// </summary>
public sealed class DriftMonitor(IOptions<DriftOptions> options, IEventOutbox outbox, StationIdentity station, VerdictIdGenerator ids, AgentMetrics metrics, ILogger<DriftMonitor> logger)
    : IHostedService
{
    private readonly DriftOptions _options = options.Value;
    private DriftDetector? _detector;

    // What a failed write left unstored: kept for the next batch, so an event is delayed by a full disk, not lost.
    private readonly List<DriftEvent> _unstoredEvents = [];
    private readonly Dictionary<string, ProductDrift> _unstoredCharts = new(StringComparer.Ordinal);

    /// <summary>Products' series beyond their limits now (empty when drift is off).</summary>
    public IReadOnlyList<DriftAlarm> Alarms => _detector?.Alarms ?? [];

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            var detector = new DriftDetector(_options, station, ids, outbox.DriftCharts());
            Log.Resumed(logger, detector.Products.Count, detector.Alarms.Count);
            _detector = detector;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Feeds verdicts just stored (numbered). Never throws for a journal that cannot write: it tries again next time.</summary>
    public void Observe(IReadOnlyList<Verdict> stored)
    {
        if (_detector is not { } detector)
        {
            return;
        }

        var step = detector.Observe(stored);
        foreach (var (product, from, to) in step.Relearned)
        {
            Log.Relearning(logger, product, Label(to), Label(from));
        }

        foreach (var e in step.Events)
        {
            Log.Drifting(logger, e.Product, e.Series, e.Value, e.Limit, e.Reference, e.Pairs);
            metrics.DriftRaised(e.Product, e.Series);
        }

        _unstoredEvents.AddRange(step.Events);
        foreach (var chart in step.Save)
        {
            _unstoredCharts[chart.Product] = chart;
        }

        if (_unstoredEvents.Count == 0 && _unstoredCharts.Count == 0)
        {
            return;
        }

        try
        {
            outbox.AppendDrift(_unstoredEvents, [.. _unstoredCharts.Values]);
            _unstoredEvents.Clear();
            _unstoredCharts.Clear();
        }
        catch (IOException e)
        {
            Log.StoreFailed(logger, _unstoredEvents.Count, e);
        }
    }

    private static string Label(ModelRef? model) => model is null ? "no model" : $"{model.Name} {model.Version}";
}
