using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Pipeline.Health;

/// <summary>Configuration section <c>Health</c>: heartbeat, watchdog and outbox bounds.</summary>
public sealed class HealthOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Health";

    /// <summary>Period of the metrics message on <c>…/metrics</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Work waiting and no pair finished for this long = stalled: the systemd watchdog is no longer fed,
    /// so systemd restarts a wedged agent. Keep it well above the slowest pair.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The outbox's bound: at this many unacknowledged verdicts ingest stops taking new pairs (they wait on
    /// the AOI's disk; nothing is dropped). A warning is logged from 80% of it.
    /// </summary>
    [Range(100, 10_000_000)]
    public int OutboxLimit { get; set; } = 100_000;

    /// <summary>An unacknowledged verdict older than this is warned about (it is still never dropped).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan OutboxMaxAge { get; set; } = TimeSpan.FromHours(24);
}
