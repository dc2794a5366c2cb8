using System.Text.Json.Serialization;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Drift;

/// <summary>
/// An event on <c>…/edgeagent/v1/event</c> (schema <c>edgeagent.event/1</c>), stored before it is published and
/// re-sent until the broker acknowledges it, like a verdict. Type <c>drift</c>: a product's series left its control
/// limits. Consumers de-duplicate on <see cref="Id"/>.
/// </summary>
public sealed record DriftEvent
{
    /// <summary>The schema this agent writes.</summary>
    public const string CurrentSchema = "edgeagent.event/1";

    /// <summary>Schema name and version of this payload.</summary>
    public string Schema { get; init; } = CurrentSchema;

    /// <summary>ULID: unique, sortable, never changes on re-delivery.</summary>
    public required string Id { get; init; }

    /// <summary><c>drift</c>.</summary>
    public string Type { get; init; } = "drift";

    /// <summary>The product whose series drifted.</summary>
    public required string Product { get; init; }

    /// <summary>The <see cref="DriftSeries"/> name (<c>score</c>, <c>brightness</c>, …).</summary>
    public required string Series { get; init; }

    /// <summary>The EWMA when it crossed the limit.</summary>
    public required double Value { get; init; }

    /// <summary>The control limit it crossed.</summary>
    public required double Limit { get; init; }

    /// <summary>The calibration window's mean.</summary>
    public required double Reference { get; init; }

    /// <summary>The calibration window's σ.</summary>
    public required double Sigma { get; init; }

    /// <summary>Values of the series since the calibration window closed.</summary>
    public required long Pairs { get; init; }

    /// <summary>The model the window was learned under (the product's first model).</summary>
    public ModelRef? Model { get; init; }

    /// <summary>When the event was raised (UTC).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The box that raised it.</summary>
    public required StationIdentity Station { get; init; }
}

/// <summary>Source-generated JSON for events and the persisted charts: stable camelCase names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DriftEvent))]
[JsonSerializable(typeof(ProductDrift))]
public sealed partial class DriftJsonContext : JsonSerializerContext;
