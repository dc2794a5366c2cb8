using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Verdicts;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Subscribe;

/// <summary>
/// A consumer of the verdict topic, as the line's MES side would be: used by the demo to print verdicts
/// and by tests to check what actually crossed the broker. With a pinned box key it verifies, then de-duplicates on
/// the verdict id (README, "Signed messages"); without one it only de-duplicates.
/// </summary>
public sealed class VerdictSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly BoxKey? _pinned;
    private readonly HashSet<string> _seen = [];
    private readonly Lock _gate = new();

    private VerdictSubscriber(IMqttClient client, BoxKey? pinned) => (_client, _pinned) = (client, pinned);

    /// <summary>Raised once per distinct verdict id received.</summary>
    public event Action<Verdict>? Received;

    /// <summary>Messages received, duplicates included.</summary>
    public int Deliveries { get; private set; }

    /// <summary>Messages dropped because they did not verify with the pinned key (always 0 without one).</summary>
    public int Unverified { get; private set; }

    /// <summary>
    /// Connects to the broker (MQTT 5, so the box's signature properties arrive) and subscribes to <paramref name="topic"/>
    /// with QoS 1. With <paramref name="pinned"/>, only messages that key signed are raised.
    /// </summary>
    public static async Task<VerdictSubscriber> ConnectAsync(string host, int port, string topic, CancellationToken cancellationToken, BoxKey? pinned = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var subscriber = new VerdictSubscriber(client, pinned);
        client.ApplicationMessageReceivedAsync += e =>
        {
            subscriber.OnMessage(e.ApplicationMessage.Payload.ToArray(), e.ApplicationMessage.UserProperties);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithProtocolVersion(MqttProtocolVersion.V500)
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

    private void OnMessage(byte[] payload, IReadOnlyCollection<MQTTnet.Packets.MqttUserProperty>? properties)
    {
        // Verify first: an unverified message never reaches the de-duplication, so a spoof cannot take a real id.
        if (_pinned is not null && !_pinned.Verifies(payload, Property(properties, BoxSigner.KeyIdProperty), Property(properties, BoxSigner.SignatureProperty)))
        {
            lock (_gate)
            {
                Deliveries++;
                Unverified++;
            }

            return;
        }

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

    private static string? Property(IReadOnlyCollection<MQTTnet.Packets.MqttUserProperty>? properties, string name) =>
        properties?.LastOrDefault(p => p.Name == name) is { } p ? Encoding.UTF8.GetString(p.ValueBuffer.ToArray()) : null;
}
