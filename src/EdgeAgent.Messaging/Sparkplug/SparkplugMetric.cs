using Org.Eclipse.Tahu.Protobuf;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// One Sparkplug metric: its name, datatype and value. The value's CLR type follows the datatype: <see cref="long"/>
/// for Int64/UInt64, <see cref="int"/> for UInt32, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <see cref="DateTimeOffset"/> for DateTime; null is sent as <c>is_null</c>.
/// </summary>
public sealed record SparkplugMetric(string Name, DataType Type, object? Value);

/// <summary>
/// The metric names (keep in sync with README.md, "Sparkplug B") and how a <see cref="SparkplugReading"/> becomes the
/// device's metrics. Names are '/'-separated folders, as Sparkplug hosts show them; no aliases, so every DDATA names
/// its metrics and a host needs no birth to read one.
/// </summary>
public static class SparkplugMetrics
{
    /// <summary>Node metric: the birth/death sequence number of this MQTT session (NBIRTH and NDEATH).</summary>
    public const string BdSeq = "bdSeq";

    /// <summary>Node metric: write true with an NCMD to ask for a new birth sequence.</summary>
    public const string Rebirth = "Node Control/Rebirth";

    /// <summary>Node metric (NBIRTH): the id of the box key whose signature every message carries (user property <c>sig</c>).</summary>
    public const string KeyId = "Properties/Signing Key Id";

    /// <summary>Node metric (NBIRTH): that key's raw Ed25519 public key, base64.</summary>
    public const string PublicKey = "Properties/Signing Public Key";

    /// <summary>The device's metrics for <paramref name="reading"/>, in the order a birth lists them.</summary>
    public static IReadOnlyList<SparkplugMetric> Of(SparkplugReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var last = reading.LastVerdict;
        return
        [
            new("State", DataType.String, reading.State),
            new("Model/Name", DataType.String, reading.Model.Name),
            new("Model/Version", DataType.String, reading.Model.Version),
            new("Model/Provider", DataType.String, reading.Model.Provider),
            new("Pairs/Total", DataType.Uint64, reading.Pairs.Total),
            new("Pairs/OK", DataType.Uint64, reading.Pairs.Ok),
            new("Pairs/NG", DataType.Uint64, reading.Pairs.Ng),
            new("Pairs/REVIEW", DataType.Uint64, reading.Pairs.Review),
            new("Pairs/ERROR", DataType.Uint64, reading.Pairs.Error),
            new("Outbox/Backlog", DataType.Uint64, reading.OutboxBacklog),
            new("Drift/State", DataType.String, reading.Drift.State),
            new("Drift/Alarms", DataType.Uint32, reading.Drift.Alarms),
            new("Last Verdict/Id", DataType.String, last?.Id),
            new("Last Verdict/Verdict", DataType.String, last?.Verdict),
            new("Last Verdict/Score", DataType.Double, last?.Score),
            new("Last Verdict/Product", DataType.String, last?.Product),
            new("Last Verdict/Judged At", DataType.DateTime, last?.JudgedAt),
        ];
    }
}
