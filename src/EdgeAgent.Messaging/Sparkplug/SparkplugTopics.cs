using EdgeAgent.Messaging.Connection;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// The Sparkplug B topics of this box, <c>spBv1.0/{group}/{verb}/{node}[/{device}]</c> (spec §4.1), and the identity
/// they are built from.
/// </summary>
public sealed class SparkplugTopics
{
    /// <summary>The Sparkplug B namespace token.</summary>
    public const string Namespace = "spBv1.0";

    /// <summary>Builds the topics from <paramref name="options"/>, deriving the edge node id from <paramref name="mqtt"/> when it is not set.</summary>
    public SparkplugTopics(SparkplugOptions options, MqttOptions mqtt)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mqtt);
        GroupId = options.GroupId;
        EdgeNodeId = EdgeNodeIdOf(options, mqtt);
        DeviceId = options.DeviceId;
    }

    public string GroupId { get; }

    public string EdgeNodeId { get; }

    public string DeviceId { get; }

    public string NodeBirth => Node("NBIRTH");

    public string NodeDeath => Node("NDEATH");

    public string NodeCommand => Node("NCMD");

    public string DeviceBirth => Device("DBIRTH");

    public string DeviceData => Device("DDATA");

    /// <summary>The edge node id actually used.</summary>
    public static string EdgeNodeIdOf(SparkplugOptions options, MqttOptions mqtt)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mqtt);
        return string.IsNullOrEmpty(options.EdgeNodeId) ? $"{mqtt.Site}-{mqtt.Line}-{mqtt.Station}" : options.EdgeNodeId;
    }

    private string Node(string verb) => $"{Namespace}/{GroupId}/{verb}/{EdgeNodeId}";

    private string Device(string verb) => $"{Node(verb)}/{DeviceId}";
}
