using System.Text.Json.Serialization;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Decisions;

/// <summary>
/// A person's decision about one judged pair, published on <c>…/edgeagent/v1/decision</c> (schema
/// <c>edgeagent.decision/1</c>) through the outbox like a verdict: stored and forced to disk first, re-sent until the
/// broker acknowledges it. <see cref="Id"/> is the verdict's id, so consumers join a decision to its verdict on it;
/// <see cref="DecisionId"/> tells a supervisor's later override apart from the first decision.
/// </summary>
public sealed record OperatorDecision
{
    /// <summary>The schema this agent writes.</summary>
    public const string CurrentSchema = "edgeagent.decision/1";

    /// <summary>Schema name and version of this payload.</summary>
    public string Schema { get; init; } = CurrentSchema;

    /// <summary>The verdict's id (ULID): the join key.</summary>
    public required string Id { get; init; }

    /// <summary>This decision's own id (ULID): unique, never changes on re-delivery; consumers de-duplicate on it.</summary>
    public required string DecisionId { get; init; }

    /// <summary>The AOI's pair id.</summary>
    public required string PairId { get; init; }

    /// <summary>The pair's product.</summary>
    public required string Product { get; init; }

    /// <summary>What the box said: OK, NG, REVIEW or ERROR.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<VerdictKind>))]
    public required VerdictKind AiVerdict { get; init; }

    /// <summary>The box's reason code, when it gave one.</summary>
    public string? AiReason { get; init; }

    /// <summary>The box's score, when a model ran.</summary>
    public double? AiScore { get; init; }

    /// <summary>What the person decided: OK or NG.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<VerdictKind>))]
    public required VerdictKind Decision { get; init; }

    /// <summary>The defect class the person chose (NG), from the model's or the configured list.</summary>
    public string? DefectClass { get; init; }

    /// <summary>Free text, at most <see cref="DecisionLimits.MaxCommentLength"/> characters.</summary>
    public string? Comment { get; init; }

    /// <summary>The user who decided.</summary>
    public required string By { get; init; }

    /// <summary>Their role when they decided (<c>operator</c>, <c>supervisor</c>).</summary>
    public required string Role { get; init; }

    /// <summary>When the decision was stored (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>When the box judged the pair (UTC): the day the KPIs count it under.</summary>
    public required DateTimeOffset JudgedAt { get; init; }

    /// <summary>True when it replaces an earlier decision (a supervisor's override).</summary>
    public bool Override { get; init; }

    /// <summary>The box that stored it.</summary>
    public required StationIdentity Station { get; init; }
}

/// <summary>Bounds on what a person may send with a decision.</summary>
public static class DecisionLimits
{
    /// <summary>Longest comment kept.</summary>
    public const int MaxCommentLength = 500;

    /// <summary>Longest defect class name.</summary>
    public const int MaxClassLength = 64;

    /// <summary>Largest decision request body the API reads.</summary>
    public const int MaxRequestBytes = 4096;
}

/// <summary>Source-generated JSON for decisions: stable camelCase names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OperatorDecision))]
public sealed partial class DecisionJsonContext : JsonSerializerContext;
