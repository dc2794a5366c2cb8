using System.Buffers;
using System.Text.Json;
using EdgeAgent.Verdicts;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Subscribe;

/// <summary>
/// A consumer of the verdict topic, as the line's MES side would be: used by the demo to print verdicts
/// and by tests to check what actually crossed the broker. De-duplicates on the verdict id.
/// </summary>
public sealed class VerdictSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly HashSet<string> _seen = [];
    private readonly Lock _gate = new();

    private VerdictSubscriber(IMqttClient client) => _client = client;

    /// <summary>Raised once per distinct verdict id received.</summary>
    public event Action<Verdict>? Received;

    /// <summary>Messages received, duplicates included.</summary>
    public int Deliveries { get; private set; }

    /// <summary>Connects to the broker and subscribes to <paramref name="topic"/> with QoS 1.</summary>
    public static async Task<VerdictSubscriber> ConnectAsync(string host, int port, string topic, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var subscriber = new VerdictSubscriber(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            subscriber.OnMessage(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port)
            .WithClientId($"edgeagent-consumer-{Guid.NewGuid():N}").WithTimeout(TimeSpan.FromSeconds(10)).Build();
        var result = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"Broker {host}:{port} refused the consumer: {result.ResultCode}");
        }

        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
        return subscriber;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private void OnMessage(byte[] payload)
    {
        var verdict = JsonSerializer.Deserialize(payload, VerdictJsonContext.Default.Verdict);
        bool first;
        lock (_gate)
        {
            Deliveries++;
            first = verdict is not null && _seen.Add(verdict.Id);
        }

        if (first)
        {
            Received?.Invoke(verdict!);
        }
    }
}
