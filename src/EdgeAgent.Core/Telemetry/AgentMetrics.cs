using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Telemetry;

/// <summary>
/// The agent's one <see cref="System.Diagnostics.Metrics.Meter"/> (<c>EdgeAgent</c>) and its instruments; the stages
/// record here, and the heartbeat and <c>bench</c> read the same instruments back through <see cref="MetricsReader"/>.
/// Made from an <see cref="IMeterFactory"/> (the host's, or a test's), so parallel tests do not see each other's
/// measurements. Keep the names, units and tags in sync with README.md, "Metrics": exporters name series after them.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "EdgeAgent";

    /// <summary>Counter, {pair}: pairs judged; tags <c>verdict</c>, <c>reason</c>, <c>product</c>.</summary>
    public const string Pairs = "edgeagent.pairs";

    /// <summary>Counter, {pair}: pairs routed; tags <c>product</c>, <c>route</c> (<c>configured</c>, <c>trained</c>, <c>default</c>, <c>none</c>).</summary>
    public const string PairsRouted = "edgeagent.pairs.routed";

    /// <summary>Counter, {pair}: pairs beyond their model's out-of-distribution bound; tags <c>product</c>, <c>action</c> (<c>review</c>, <c>flag</c>).</summary>
    public const string PairsOutOfDistribution = "edgeagent.pairs.out_of_distribution";

    /// <summary>Histogram, seconds: time in one stage; tag <c>stage</c> (see <see cref="Stage"/>).</summary>
    public const string StageDuration = "edgeagent.stage.duration";

    /// <summary>Counter, {run}: model runs (one per batch); tags <c>model</c>, <c>provider</c>.</summary>
    public const string ModelRuns = "edgeagent.model.runs";

    /// <summary>Gauge, {item}: items waiting between stages; tag <c>queue</c> (<c>candidates</c>, <c>judged</c>).</summary>
    public const string QueueDepth = "edgeagent.queue.depth";

    /// <summary>Gauge, {verdict}: verdicts stored but not yet acknowledged by the broker.</summary>
    public const string OutboxBacklog = "edgeagent.outbox.backlog";

    /// <summary>Counter, {event}: drift events raised, by product and series.</summary>
    public const string DriftEvents = "edgeagent.drift.events";

    // Stage times run from ~0.1 ms (score) to seconds (a journal write behind a busy disk).
    private static readonly double[] StageBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _pairs;
    private readonly Histogram<double> _stages;
    private readonly Counter<long> _modelRuns;
    private readonly Counter<long> _routed;
    private readonly Counter<long> _outOfDistribution;
    private readonly Counter<long> _driftEvents;
    private readonly ConcurrentDictionary<string, Func<long>> _queues = new(StringComparer.Ordinal);
    private Func<long> _outboxBacklog = static () => 0;

    /// <summary>Creates the meter and its instruments from <paramref name="factory"/>.</summary>
    public AgentMetrics(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Meter = factory.Create(new MeterOptions(MeterName));
        _pairs = Meter.CreateCounter<long>(Pairs, "{pair}", "Pairs judged, by verdict, reason and product");
        _stages = Meter.CreateHistogram(StageDuration, "s", "Time a pair or batch spent in one stage",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _modelRuns = Meter.CreateCounter<long>(ModelRuns, "{run}", "Model runs (one per batch), by model and provider");
        _routed = Meter.CreateCounter<long>(PairsRouted, "{pair}", "Pairs routed, by product and how the product found its models");
        _outOfDistribution = Meter.CreateCounter<long>(PairsOutOfDistribution, "{pair}", "Pairs beyond their model's out-of-distribution bound, by product and action");
        _driftEvents = Meter.CreateCounter<long>(DriftEvents, "{event}", "Drift events raised (a series left its control limits), by product and series");
        Meter.CreateObservableGauge(QueueDepth, ObserveQueues, "{item}", "Items waiting between stages");
        Meter.CreateObservableGauge(OutboxBacklog, () => Volatile.Read(ref _outboxBacklog)(), "{verdict}", "Verdicts stored but not yet acknowledged by the broker");
    }

    /// <summary>The meter, for readers that listen to this instance only.</summary>
    public Meter Meter { get; }

    /// <summary>A pair got its verdict. <c>reason</c> is <c>none</c> for a verdict without one (OK).</summary>
    public void PairJudged(VerdictKind outcome, string? reason, string product) =>
        _pairs.Add(1, new("verdict", VerdictTag(outcome)), new("reason", reason ?? "none"), new("product", product));

    /// <summary>A pair's product found its models by <paramref name="route"/> (<c>none</c>: it was not judged).</summary>
    public void PairRouted(string product, string route) => _routed.Add(1, new("product", product), new("route", route));

    /// <summary>A pair lay beyond its model's out-of-distribution bound; <paramref name="review"/> when that made it REVIEW.</summary>
    public void PairOutOfDistribution(string product, bool review) =>
        _outOfDistribution.Add(1, new("product", product), new("action", review ? "review" : "flag"));

    /// <summary>A product's <paramref name="series"/> left its control limits.</summary>
    public void DriftRaised(string product, string series) => _driftEvents.Add(1, new("product", product), new("series", series));

    /// <summary>Time spent in <paramref name="stage"/> (one of <see cref="Stage"/>).</summary>
    public void StageTime(string stage, TimeSpan elapsed) => _stages.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));

    /// <summary>One model run of a batch, and its time.</summary>
    public void ModelRun(string model, string provider, TimeSpan elapsed)
    {
        _modelRuns.Add(1, new("model", model), new("provider", provider));
        StageTime(Stage.ModelRun, elapsed);
    }

    /// <summary>Reports <paramref name="depth"/> as the <c>queue</c>=<paramref name="queue"/> series of <see cref="QueueDepth"/>.</summary>
    public void ObserveQueue(string queue, Func<long> depth) => _queues[queue] = depth;

    /// <summary>Reports <paramref name="backlog"/> as <see cref="OutboxBacklog"/>.</summary>
    public void ObserveOutbox(Func<long> backlog) => Volatile.Write(ref _outboxBacklog, backlog);

    /// <inheritdoc/>
    public void Dispose() => Meter.Dispose();

    /// <summary>The verdict as the published JSON spells it (OK, NG, REVIEW, ERROR).</summary>
    public static string VerdictTag(VerdictKind outcome) => outcome switch
    {
        VerdictKind.Ok => "OK",
        VerdictKind.Ng => "NG",
        VerdictKind.Review => "REVIEW",
        _ => "ERROR",
    };

    private IEnumerable<Measurement<long>> ObserveQueues() =>
        [.. _queues.Select(q => new Measurement<long>(q.Value(), new KeyValuePair<string, object?>("queue", q.Key)))];

    /// <summary>Values of the <c>stage</c> tag.</summary>
    public static class Stage
    {
        /// <summary>Reading and decoding the image and template.</summary>
        public const string Decode = "decode";

        /// <summary>Estimating the alignment and resampling the model's crop.</summary>
        public const string Align = "align";

        /// <summary>One model run over a batch.</summary>
        public const string ModelRun = "model_run";

        /// <summary>Scoring one pair's maps.</summary>
        public const string Score = "score";

        /// <summary>Storing a batch of verdicts and forcing it to disk.</summary>
        public const string Journal = "journal";

        /// <summary>Publishing one verdict until its PUBACK.</summary>
        public const string Publish = "publish";
    }
}
