using System.Net.Sockets;
using System.Security.Authentication;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Resilience;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Org.Eclipse.Tahu.Protobuf;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>
/// The Sparkplug B 3.0 edge node, when <see cref="SparkplugOptions.Enabled"/>. It has its own MQTT client: MQTT gives a
/// connection one will, the agent's connection's will is the JSON <c>state</c> = <c>offline</c>, and Sparkplug's must
/// be the NDEATH. One loop does everything (connect, births, data, pings), so <c>seq</c> needs no lock and a rebirth
/// can never interleave with a DDATA. Like <see cref="MqttConnection"/>, it reconnects from its own timer, never from
/// MQTTnet's disconnect event. Nothing is buffered while the broker is away: these metrics are state, and the births
/// after the reconnect carry the state then (the verdicts themselves wait in the JSON outbox). Every message, the NDEATH
/// will included, carries the box's signature as MQTT 5 user properties (<see cref="BoxSigner"/>), which Sparkplug hosts
/// ignore; the NBIRTH names the box's key id and public key.
/// </summary>
public sealed class SparkplugNode(IOptions<SparkplugOptions> options, IOptions<MqttOptions> mqtt, BoxSigner signer, ISparkplugSource source, TimeProvider time, ILogger<SparkplugNode> logger)
    : BackgroundService
{
    private readonly SparkplugOptions _options = options.Value;
    private readonly MqttOptions _mqtt = mqtt.Value;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly WakeSignal _wake = new(time);
    private readonly Backoff _reconnect = new(mqtt.Value.ReconnectMinDelay, mqtt.Value.ReconnectMaxDelay, time, jitter: 0.2);
    private readonly SparkplugSequence _seq = new();
    private readonly BdSeqStore _bdSeqs = new(options.Value.BdSeqFile);

    // The last value sent of each device metric: a DDATA carries only the ones that differ (report by exception).
    private readonly Dictionary<string, object?> _reported = new(StringComparer.Ordinal);
    private volatile bool _rebirthRequested;
    private long _bdSeq;

    /// <summary>The node's topics.</summary>
    public SparkplugTopics Topics { get; } = new(options.Value, mqtt.Value);

    /// <summary>The MQTT client id: the agent's, with <c>-spb</c>, so the two connections never take each other's session.</summary>
    public string ClientId => $"{_mqtt.EffectiveClientId}-spb";

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        _client.ApplicationMessageReceivedAsync += OnCommandAsync;
        bool connected = false;
        var nextPing = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!connected)
            {
                if (!await ConnectAsync(stoppingToken).ConfigureAwait(false))
                {
                    await _wake.WaitAsync(_reconnect.NextDelay(), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                (connected, nextPing) = (true, time.GetUtcNow() + _mqtt.KeepAlive);
                _reconnect.Reset();
            }
            else if (_rebirthRequested)
            {
                // Stop DATA, then the whole birth sequence with the session's bdSeq (tck-id-operational-behavior-data-commands-rebirth-action-1..3).
                _rebirthRequested = false;
                Log.Rebirth(logger, _bdSeq);
                connected = await BirthAsync(stoppingToken).ConfigureAwait(false);
            }
            else
            {
                connected = await ReportAsync(stoppingToken).ConfigureAwait(false);
            }

            if (connected && time.GetUtcNow() >= nextPing)
            {
                // QoS 0 publishes prove nothing about the link; the ping does.
                connected = await PingAsync(stoppingToken).ConfigureAwait(false);
                nextPing = time.GetUtcNow() + _mqtt.KeepAlive;
            }

            if (connected)
            {
                await _wake.WaitAsync(_options.ReportInterval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_options.Enabled || !_client.IsConnected)
        {
            return;
        }

        try
        {
            // An intentional disconnect publishes the NDEATH first, and an MQTT 5 DISCONNECT asks the broker for the
            // will too (tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath,
            // tck-id-payloads-ndeath-will-message-publisher-disconnect-mqtt50); hosts drop the second by its bdSeq.
            await PublishAsync(Topics.NodeDeath, SparkplugPayloads.NodeDeath(_bdSeq, time.GetUtcNow()), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build();
            await _client.DisconnectAsync(disconnect, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The host's stop timeout ran out or the link is gone: the broker sends the will instead.
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    // CONNECT with the next bdSeq in the NDEATH will, subscribe to NCMD, then the births (tck-id-message-flow-edge-node-ncmd-subscribe:
    // the subscription comes first, so a rebirth request is never missed).
    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_mqtt.PublishTimeout);
        bool bdSeqTaken = false;
        try
        {
            if (_client.IsConnected)
            {
                // After a failed ping or publish the client may still claim to be connected.
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
            }

            _bdSeq = _bdSeqs.Next(out var notSaved);
            bdSeqTaken = true;
            if (notSaved is not null)
            {
                Log.BdSeqNotSaved(logger, _bdSeq, _options.BdSeqFile, notSaved);
            }

            var death = SparkplugPayloads.NodeDeath(_bdSeq, time.GetUtcNow()).ToByteArray();
            var connect = signer.SignWill(new MqttClientOptionsBuilder(), death, withPublicKey: false)
                .ForAgent(_mqtt, ClientId)
                .WithCleanStart(true)
                .WithSessionExpiryInterval(0) // Sparkplug: clean start and no session (spec 3.0, "Edge Node Session Establishment")
                .WithWillTopic(Topics.NodeDeath)
                .WithWillPayload(death)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain(false)
                .Build();
            var result = await _client.ConnectAsync(connect, timeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                Log.ConnectRefused(logger, _mqtt.Host, _mqtt.Port, result.ResultCode.ToString());
                return false;
            }

            var subscribe = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.NodeCommand, MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var subscribed = await _client.SubscribeAsync(subscribe, timeout.Token).ConfigureAwait(false);
            foreach (var item in subscribed.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2))
            {
                Log.SubscribeRefused(logger, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (bdSeqTaken && NeverReachedTheBroker(e))
            {
                _bdSeqs.Unused(_bdSeq);
            }

            Log.ConnectFailed(logger, _mqtt.Host, _mqtt.Port, e.Message);
            return false;
        }

        _rebirthRequested = false; // this birth answers any request made before it
        if (!await BirthAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Log.Born(logger, Topics.GroupId, Topics.EdgeNodeId, _mqtt.Host, _mqtt.Port, _bdSeq);
        return true;
    }

    // NBIRTH (seq 0) and at once the DBIRTH with every metric (tck-id-payloads-dbirth-order).
    private async Task<bool> BirthAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Read() is not { } metrics)
        {
            return false; // no birth without values: the next connect tries again
        }

        if (!await PublishAsync(Topics.NodeBirth, SparkplugPayloads.NodeBirth(_bdSeq, _seq.Birth(), now, signer.Key), MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false)
            || !await PublishAsync(Topics.DeviceBirth, SparkplugPayloads.DeviceBirth(metrics, _seq.Next(), now), MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _reported.Clear();
        foreach (var metric in metrics)
        {
            _reported[metric.Name] = metric.Value;
        }

        return true;
    }

    private async Task<bool> ReportAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            Log.Lost(logger, "the connection closed");
            return false;
        }

        var changed = Read()?.Where(m => !_reported.TryGetValue(m.Name, out var sent) || !Equals(sent, m.Value)).ToList();
        if (changed is not { Count: > 0 })
        {
            return true;
        }

        if (!await PublishAsync(Topics.DeviceData, SparkplugPayloads.DeviceData(changed, _seq.Next(), time.GetUtcNow()), MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        foreach (var metric in changed)
        {
            _reported[metric.Name] = metric.Value;
        }

        return true;
    }

    // No TCP connection (refused, unreachable, unknown host) or no TLS session: no CONNECT, so no will with this bdSeq exists.
    private static bool NeverReachedTheBroker(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException
                || inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData })
            {
                return true;
            }
        }

        return false;
    }

    // Sparkplug is a view of the box: a reading that fails (the journal busy or full) skips a report, it never stops the agent.
    private IReadOnlyList<SparkplugMetric>? Read()
    {
        try
        {
            return SparkplugMetrics.Of(source.Read());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ReadFailed(logger, e);
            return null;
        }
    }

    // Births and data are QoS 0 and not retained (tck-id-payloads-nbirth-qos, -dbirth-qos, -ddata-qos and their -retain).
    private async Task<bool> PublishAsync(string topic, Payload payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_mqtt.PublishTimeout);
        try
        {
            var bytes = payload.ToByteArray();
            var message = signer.Sign(new MqttApplicationMessageBuilder(), bytes).WithTopic(topic).WithPayload(bytes)
                .WithQualityOfServiceLevel(qos).WithRetainFlag(false).Build();
            await _client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.Lost(logger, e.Message);
            return false;
        }
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_mqtt.PublishTimeout);
        try
        {
            await _client.PingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.Lost(logger, e.Message);
            return false;
        }
    }

    // Runs on the client's receive loop: only flags the request; the node's loop answers it.
    private Task OnCommandAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic == Topics.NodeCommand && SparkplugPayloads.IsRebirthRequest(e.ApplicationMessage.Payload))
        {
            _rebirthRequested = true;
            _wake.Set();
        }

        return Task.CompletedTask;
    }
}
