using System.Text.Json.Serialization;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Decisions;
using EdgeAgent.Score;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Api;

/// <summary><c>/api/stats</c>: the overview's numbers for a filter.</summary>
public sealed record StatsPayload(
    VerdictCounts All,
    IReadOnlyList<VerdictCounts> PerHour,
    IReadOnlyList<VerdictCounts> PerProduct,
    ScoreBins? Histogram,
    string? ThresholdNote,
    int Scanned,
    bool Truncated);

/// <summary>
/// <c>/api/models</c>: the model store's history and one page of the audit trail, newest first; <see cref="NextBefore"/>
/// is the <c>before</c> of the next page (null on the last).
/// </summary>
public sealed record ModelsPayload(IReadOnlyList<ModelHistoryPayload> Models, IReadOnlyList<AuditEntry> Audit, long? NextBefore);

/// <summary>One model name in the store.</summary>
public sealed record ModelHistoryPayload(string Name, string? Active, IReadOnlyList<string> Activations, IReadOnlyList<InstalledPayload> Installed);

/// <summary>One installed version.</summary>
public sealed record InstalledPayload(string Version, string Sha256, string KeyId, DateTimeOffset InstalledAt, string Notes);

/// <summary>The stored heatmap of a verdict in <c>/api/verdicts/{id}</c>: levels base64, 255 = 2× threshold.</summary>
public sealed record HeatmapPayload(int Crop, int Side, byte[] Levels);

/// <summary><c>/api/kpis</c>: the days asked for (<c>yyyy-MM-dd</c> in <see cref="Calendar"/>, <c>utc</c> or <c>local</c>), their tallies per product, the queue.</summary>
public sealed record KpisPayload(string Calendar, string From, string To, string Today, IReadOnlyList<KpiDay> Days, ReviewQueuePayload Queue);

/// <summary>Verdicts waiting in the review queue: undecided REVIEW verdicts and spot-check picks.</summary>
public sealed record ReviewQueuePayload(int Review, int SpotChecks);

/// <summary>Source-generated JSON for the dashboard's API (verdicts themselves use <see cref="VerdictJsonContext"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatsPayload))]
[JsonSerializable(typeof(ModelsPayload))]
[JsonSerializable(typeof(KpisPayload))]
[JsonSerializable(typeof(HeatmapPayload))]
[JsonSerializable(typeof(AgentStatus))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
