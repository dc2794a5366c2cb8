using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// Configuration section <c>Sparkplug</c>: the optional Sparkplug B 3.0 edge node beside the JSON topics, on its own
/// MQTT connection to the <c>Mqtt</c> broker (same host, port, credentials and TLS). Ids are Sparkplug topic
/// tokens: valid UTF-8 without <c>/</c>, <c>+</c> or <c>#</c> (tck-id-topic-structure-namespace-valid-group-id, -edge-node-id, -device-id).
/// </summary>
public sealed class SparkplugOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Sparkplug";

    /// <summary>A Sparkplug id: at least one character, none of them a topic separator or wildcard (or NUL, which MQTT forbids).</summary>
    internal const string IdPattern = "^[^/+#\u0000]+$";

    /// <summary>Publish NBIRTH/DBIRTH/DDATA and register the NDEATH. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The Sparkplug group id (first topic token after <c>spBv1.0</c>).</summary>
    [Required, RegularExpression(IdPattern)]
    public string GroupId { get; set; } = "EdgeAgent";

    /// <summary>The edge node id; empty = <c>{Mqtt:Site}-{Mqtt:Line}-{Mqtt:Station}</c>, like the MQTT client id.</summary>
    [RegularExpression(IdPattern)]
    public string EdgeNodeId { get; set; } = "";

    /// <summary>The device id under the edge node that carries the inspection metrics.</summary>
    [Required, RegularExpression(IdPattern)]
    public string DeviceId { get; set; } = "edgeagent";

    /// <summary>
    /// How often the metrics are compared with the last ones sent; a DDATA carries the ones that changed (report by
    /// exception), so a busy line gets at most one DDATA per interval, an idle one none.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where the last bdSeq is kept, so a restart continues the sequence (a late NDEATH of the previous process then
    /// cannot be taken for the new session's); empty = <c>sparkplug-bdseq</c> in <c>Storage:DataDirectory</c>.
    /// </summary>
    public string BdSeqFile { get; set; } = "";
}
