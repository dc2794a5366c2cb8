using EdgeAgent.Messaging.Sparkplug;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Org.Eclipse.Tahu.Protobuf;

namespace EdgeAgent.Testing;

/// <summary>
/// A Sparkplug host application as a test sees it: subscribed to <c>spBv1.0/#</c> before the agent starts, it decodes
/// every payload with the classes generated from the specification's <c>sparkplug_b.proto</c> and keeps them in
/// arrival order. It can also send the NCMD that asks for a rebirth. With <c>persistent</c>, its session (and, on a
/// broker with <c>queue_qos0_messages true</c>, the QoS 0 births and data) outlives a broker restart; it then connects
/// again with <see cref="ReconnectAsync"/>.
/// </summary>
public sealed class SparkplugListener : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Lock _gate = new();
    private readonly List<SparkplugMessage> _messages = [];
    private readonly MqttClientOptions _options;

    private SparkplugListener(int port, string clientId, bool persistent)
    {
        _options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(!persistent).WithSessionExpiryInterval(persistent ? 3600u : 0u).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var signed = ReceivedMessage.From(e.ApplicationMessage);
            var message = new SparkplugMessage(signed.Topic, Payload.Parser.ParseFrom(signed.Payload)) { Signed = signed };
            lock (_gate)
            {
                _messages.Add(message);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Every message so far, in arrival order.</summary>
    public IReadOnlyList<SparkplugMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public static async Task<SparkplugListener> StartAsync(int port, string clientId = "sparkplug-host", bool persistent = false)
    {
        var listener = new SparkplugListener(port, clientId, persistent);
        await listener._client.ConnectAsync(listener._options);
        await listener._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("spBv1.0/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return listener;
    }

    /// <summary>Connects again after a broker restart (a persistent session keeps the subscription).</summary>
    public async Task ReconnectAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        await _client.ConnectAsync(_options);
    }

    /// <summary>Sends <c>Node Control/Rebirth</c> = true on <paramref name="topic"/> (the node's NCMD topic).</summary>
    public async Task RequestRebirthAsync(string topic)
    {
        var command = new Payload
        {
            Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Metrics = { new Payload.Types.Metric { Name = SparkplugMetrics.Rebirth, Datatype = (uint)DataType.Boolean, BooleanValue = true } },
        };
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(command.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await _client.PublishAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}

/// <summary>One decoded Sparkplug message.</summary>
public sealed record SparkplugMessage(string Topic, Payload Payload)
{
    /// <summary>The bytes and user properties as received, to check the box's signature.</summary>
    public ReceivedMessage? Signed { get; init; }

    /// <summary>The verb token: NBIRTH, NDEATH, DBIRTH, DDATA, NCMD…</summary>
    public string Verb => Topic.Split('/')[2];

    /// <summary>The metric named <paramref name="name"/>, or null.</summary>
    public Payload.Types.Metric? Metric(string name) => Payload.Metrics.FirstOrDefault(m => m.Name == name);

    /// <summary>The bdSeq metric's value (NBIRTH, NDEATH).</summary>
    public long BdSeq => (long)(Metric(SparkplugMetrics.BdSeq) ?? throw new InvalidOperationException($"{Topic} has no bdSeq")).LongValue;
}
