namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// What the Sparkplug edge node reports. The seam to the executable, which holds the pipeline, its health judgement
/// (the heartbeat's), the models and the counters; Messaging does not reference the pipeline. Tests give fixed readings.
/// </summary>
public interface ISparkplugSource
{
    /// <summary>The readings now; cheap and non-blocking (asked every <see cref="SparkplugOptions.ReportInterval"/>).</summary>
    SparkplugReading Read();
}

/// <summary>One reading of the box for Sparkplug.</summary>
/// <param name="State"><c>healthy</c>, <c>degraded</c> or <c>stalled</c>, as the heartbeat says.</param>
/// <param name="Model">The default model in service.</param>
/// <param name="Pairs">Pairs judged since the agent started, in total and by verdict.</param>
/// <param name="OutboxBacklog">Verdicts stored but not yet acknowledged by the broker.</param>
/// <param name="Drift">The drift watch: <c>off</c>, <c>stable</c> or <c>drifting</c>, and how many series are beyond their limits.</param>
/// <param name="LastVerdict">The verdict stored last; null before the first one since start.</param>
public sealed record SparkplugReading(
    string State,
    SparkplugModel Model,
    SparkplugCounts Pairs,
    long OutboxBacklog,
    SparkplugDrift Drift,
    SparkplugVerdict? LastVerdict);

/// <summary>A model and the execution provider it runs on.</summary>
public sealed record SparkplugModel(string Name, string Version, string Provider);

/// <summary>Pairs judged since start, by verdict (OK, NG, REVIEW, ERROR).</summary>
public sealed record SparkplugCounts(long Total, long Ok, long Ng, long Review, long Error);

/// <summary>The drift watch's state and the number of series beyond their control limits now.</summary>
public sealed record SparkplugDrift(string State, int Alarms);

/// <summary>One stored verdict: its id (as on the JSON verdict topic), verdict, score (null without one), product and time.</summary>
public sealed record SparkplugVerdict(string Id, string Verdict, double? Score, string Product, DateTimeOffset JudgedAt);
