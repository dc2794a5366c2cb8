using System.Buffers;
using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// The line's MES as a test sees it: an MQTT 5 consumer with a persistent session (stable client id,
/// session expiry one hour, clean start off) and its own reconnect loop, so messages published while it is
/// away — broker restart included — are queued by the broker and delivered when it is back. Counts every
/// delivery by verdict id; a session the broker forgot after the first connect is counted, never hidden.
/// </summary>
public sealed class DurableConsumer : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectEvery = TimeSpan.FromMilliseconds(100);
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly string _topic;
    private readonly string? _decisionTopic;
    private readonly Dictionary<string, OperatorDecision> _decisions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _deliveries = [];
    private readonly Dictionary<string, Verdict> _first = [];
    private readonly List<long> _firstSeqs = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _unparsable;
    private bool _subscribed;

    private DurableConsumer(string host, int port, string topic, string clientId, string? decisionTopic)
    {
        _topic = topic;
        _decisionTopic = decisionTopic;
        _options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(false).WithSessionExpiryInterval(3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5)).WithTimeout(TimeSpan.FromSeconds(2)).Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == _decisionTopic)
            {
                OnDecision(e.ApplicationMessage.Payload.ToArray());
            }
            else
            {
                OnMessage(e.ApplicationMessage.Payload.ToArray());
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Connections that came back without the session (messages may have been lost there).</summary>
    public int SessionsLost { get; private set; }

    /// <summary>Successful (re)connections, the first one included.</summary>
    public int Connects { get; private set; }

    /// <summary>Distinct verdict ids received.</summary>
    public int Distinct
    {
        get
        {
            lock (_gate)
            {
                return _first.Count;
            }
        }
    }

    /// <summary>
    /// Connects (the session and subscription exist before anything is published) and starts the reconnect loop.
    /// With <paramref name="decisionTopic"/>, operators' decisions published there are collected too.
    /// </summary>
    public static async Task<DurableConsumer> StartAsync(int port, string topic, string clientId, string? decisionTopic = null)
    {
        var consumer = new DurableConsumer("127.0.0.1", port, topic, clientId, decisionTopic);
        if (!await consumer.TryConnectAsync())
        {
            throw new InvalidOperationException($"consumer could not connect to 127.0.0.1:{port}");
        }

        consumer._loop = consumer.SuperviseAsync(consumer._stop.Token);
        return consumer;
    }

    /// <summary>A consistent copy of what arrived so far.</summary>
    public ConsumerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ConsumerSnapshot(new Dictionary<string, int>(_deliveries), new Dictionary<string, Verdict>(_first), [.. _firstSeqs], _unparsable);
        }
    }

    /// <summary>The decisions received so far, by decision id (the first delivery of each).</summary>
    public IReadOnlyDictionary<string, OperatorDecision> Decisions()
    {
        lock (_gate)
        {
            return new Dictionary<string, OperatorDecision>(_decisions, StringComparer.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                await TryConnectAsync();
            }

            try
            {
                await Task.Delay(ReconnectEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> TryConnectAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            var result = await _client.ConnectAsync(_options, timeout.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return false;
            }

            if (!result.IsSessionPresent || !_subscribed)
            {
                // First connect, or the broker forgot us (only that can lose messages), or the broker went
                // away between CONNECT and SUBACK last time: subscribe, and count the session as ours only
                // once the broker acknowledged the subscription.
                SessionsLost += _subscribed ? 1 : 0;
                _subscribed = false;
                var subscription = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_topic, MqttQualityOfServiceLevel.AtLeastOnce);
                if (_decisionTopic is not null)
                {
                    subscription.WithTopicFilter(_decisionTopic, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                await _client.SubscribeAsync(subscription.Build(), timeout.Token);
                _subscribed = true;
            }

            Connects++;
            return true;
        }
        catch (Exception)
        {
            // Loop boundary: broker away, refused, timed out, or the client still tearing down; try again next tick.
            await DisconnectQuietlyAsync();
            return false;
        }
    }

    private async Task DisconnectQuietlyAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }
        }
        catch (Exception)
        {
            // Already gone; the next connect starts clean.
        }
    }

    private void OnMessage(byte[] payload)
    {
        Verdict? verdict;
        try
        {
            verdict = JsonSerializer.Deserialize(payload, VerdictJsonContext.Default.Verdict);
        }
        catch (JsonException)
        {
            verdict = null;
        }

        lock (_gate)
        {
            if (verdict is null)
            {
                _unparsable++;
                return;
            }

            _deliveries[verdict.Id] = _deliveries.GetValueOrDefault(verdict.Id) + 1;
            if (_first.TryAdd(verdict.Id, verdict))
            {
                _firstSeqs.Add(verdict.Seq);
            }
        }
    }

    private void OnDecision(byte[] payload)
    {
        OperatorDecision? decision;
        try
        {
            decision = JsonSerializer.Deserialize(payload, DecisionJsonContext.Default.OperatorDecision);
        }
        catch (JsonException)
        {
            decision = null;
        }

        lock (_gate)
        {
            if (decision is null)
            {
                _unparsable++;
                return;
            }

            _decisions.TryAdd(decision.DecisionId, decision);
        }
    }
}
