using System.Buffers;
using EdgeAgent.Messaging.Signing;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// Builds and reads Sparkplug B payloads (spec §6.4). Timestamps are milliseconds since the Unix epoch, UTC
/// (tck-id-payloads-timestamp-in-UTC); every metric of a birth or data message carries one
/// (tck-id-payloads-name-birth-data-requirement).
/// </summary>
public static class SparkplugPayloads
{
    /// <summary>
    /// NBIRTH: <paramref name="seq"/> (0), the session's bdSeq (Int64, tck-id-payloads-nbirth-bdseq), Node Control/Rebirth =
    /// false, and the box key that signs every message (its id and raw public key in base64, as the JSON state topic gives them).
    /// </summary>
    public static Payload NodeBirth(long bdSeq, ulong seq, DateTimeOffset now, BoxKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new()
        {
            Timestamp = Millis(now),
            Seq = seq,
            Metrics =
            {
                Metric(new SparkplugMetric(SparkplugMetrics.BdSeq, DataType.Int64, bdSeq), now, withType: true),
                Metric(new SparkplugMetric(SparkplugMetrics.Rebirth, DataType.Boolean, false), now, withType: true),
                Metric(new SparkplugMetric(SparkplugMetrics.KeyId, DataType.String, key.KeyId), now, withType: true),
                Metric(new SparkplugMetric(SparkplugMetrics.PublicKey, DataType.String, key.PublicKeyBase64), now, withType: true),
            },
        };
    }

    /// <summary>NDEATH: the bdSeq only and no seq (tck-id-payloads-ndeath-seq); registered as the will at CONNECT.</summary>
    public static Payload NodeDeath(long bdSeq, DateTimeOffset now) => new()
    {
        Timestamp = Millis(now),
        Metrics = { Metric(new SparkplugMetric(SparkplugMetrics.BdSeq, DataType.Int64, bdSeq), now, withType: true) },
    };

    /// <summary>DBIRTH: every device metric, each with its datatype (tck-id-payloads-metric-datatype-req).</summary>
    public static Payload DeviceBirth(IEnumerable<SparkplugMetric> metrics, ulong seq, DateTimeOffset now) => Build(metrics, seq, now, withType: true);

    /// <summary>DDATA: the metrics that changed, by name and without datatype (tck-id-payloads-metric-datatype-not-req).</summary>
    public static Payload DeviceData(IEnumerable<SparkplugMetric> metrics, ulong seq, DateTimeOffset now) => Build(metrics, seq, now, withType: false);

    /// <summary>
    /// Whether <paramref name="payload"/> (an NCMD) asks for a rebirth: a <c>Node Control/Rebirth</c> metric that is true.
    /// Anything else, a payload that is not Sparkplug B included, is no request (a bad command must not stop the node).
    /// </summary>
    public static bool IsRebirthRequest(ReadOnlySequence<byte> payload)
    {
        try
        {
            return Payload.Parser.ParseFrom(payload).Metrics.Any(m =>
                m.Name == SparkplugMetrics.Rebirth && m.ValueCase == Payload.Types.Metric.ValueOneofCase.BooleanValue && m.BooleanValue);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>Milliseconds since the Unix epoch (UTC).</summary>
    public static ulong Millis(DateTimeOffset at) => (ulong)at.ToUnixTimeMilliseconds();

    private static Payload Build(IEnumerable<SparkplugMetric> metrics, ulong seq, DateTimeOffset now, bool withType)
    {
        var payload = new Payload { Timestamp = Millis(now), Seq = seq };
        payload.Metrics.AddRange(metrics.Select(m => Metric(m, now, withType)));
        return payload;
    }

    private static Payload.Types.Metric Metric(SparkplugMetric metric, DateTimeOffset now, bool withType)
    {
        var m = new Payload.Types.Metric { Name = metric.Name, Timestamp = Millis(now) };
        if (withType)
        {
            m.Datatype = (uint)metric.Type;
        }

        switch (metric.Value)
        {
            case null:
                m.IsNull = true;
                break;
            case long value:
                m.LongValue = unchecked((ulong)value); // an Int64 travels as its two's complement in long_value
                break;
            case int value:
                m.IntValue = unchecked((uint)value);
                break;
            case double value:
                m.DoubleValue = value;
                break;
            case bool value:
                m.BooleanValue = value;
                break;
            case string value:
                m.StringValue = value;
                break;
            case DateTimeOffset value:
                m.LongValue = Millis(value);
                break;
            default:
                throw new ArgumentException($"metric {metric.Name}: no Sparkplug encoding for {metric.Value.GetType().Name}", nameof(metric));
        }

        return m;
    }
}
