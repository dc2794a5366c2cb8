using System.Text.Json.Serialization;
using EdgeAgent.Decisions;

namespace EdgeAgent.Health;

/// <summary>
/// The periodic health message on <c>…/edgeagent/v1/metrics</c> (schema <c>edgeagent.metrics/1</c>),
/// for the line's monitoring and for a person asking "is this box keeping up?".
/// </summary>
public sealed record Heartbeat
{
    /// <summary>Schema name and version.</summary>
    public string Schema { get; init; } = "edgeagent.metrics/1";

    /// <summary>When the snapshot was taken (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary><c>healthy</c>, <c>degraded</c> (outbox near its bound, folder unavailable, a product drifting) or <c>stalled</c> (no progress with work waiting).</summary>
    public required string State { get; init; }

    /// <summary>Why the state is not healthy; empty when it is.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Seconds since the agent started.</summary>
    public required double UptimeS { get; init; }

    /// <summary>Model in use and the execution provider it runs on.</summary>
    public required HeartbeatModel Model { get; init; }

    /// <summary>Pairs waiting for inspection and verdicts waiting for the journal.</summary>
    public required HeartbeatQueues Queues { get; init; }

    /// <summary>Verdicts stored but not yet acknowledged by the broker.</summary>
    public required long OutboxBacklog { get; init; }

    /// <summary>Pairs judged since start.</summary>
    public required long PairsTotal { get; init; }

    /// <summary>Pairs judged per minute over the last heartbeat interval.</summary>
    public required double PairsPerMin { get; init; }

    /// <summary>ERROR and REVIEW verdicts per minute over the last heartbeat interval.</summary>
    public required double ErrorsPerMin { get; init; }

    /// <summary>Free bytes on the data directory's file system.</summary>
    public required long DiskFreeBytes { get; init; }

    /// <summary>Process resident set size.</summary>
    public required long RssBytes { get; init; }

    /// <summary>Managed heap size after the last GC.</summary>
    public required long GcHeapBytes { get; init; }

    /// <summary>Today's KPIs (the UTC day), one entry per product judged today, as the journal tallies them; empty when it could not be read.</summary>
    public required IReadOnlyList<KpiDay> Kpis { get; init; }

    /// <summary>Verdicts waiting for a person in the review queue; null when the journal could not be read.</summary>
    public required HeartbeatReviewQueue? ReviewQueue { get; init; }
}

/// <summary>The review queue's length: undecided REVIEW verdicts and spot-check picks of OK/NG verdicts.</summary>
public sealed record HeartbeatReviewQueue(int Review, int SpotChecks);

/// <summary>The model part of a heartbeat.</summary>
public sealed record HeartbeatModel(string Name, string Version, string Provider);

/// <summary>Queue depths between stages.</summary>
public sealed record HeartbeatQueues(int Candidates, int Judged);

/// <summary>Source-generated JSON for the heartbeat.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Heartbeat))]
public sealed partial class HeartbeatJsonContext : JsonSerializerContext;
