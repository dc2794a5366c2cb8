using System.Text;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Connection;

/// <summary>
/// Owns the MQTT client and keeps it connected. MQTTnet 5 has no managed client, and reconnecting from
/// its Disconnected event can deadlock, so a timer-driven loop pings and, on failure, disconnects and
/// reconnects with exponential backoff and jitter. Presence: retained <c>online</c> on connect, the broker's
/// last will sets <c>offline</c>. The session is clean, so subscriptions are made again after every connect.
/// Every publish, and the will, carries the box's signature (<see cref="BoxSigner"/>); the retained state also its public key.
/// </summary>
public sealed class MqttConnection(IOptions<MqttOptions> options, BoxSigner signer, TimeProvider time, ILogger<MqttConnection> logger)
    : BackgroundService
{
    private readonly MqttOptions _options = options.Value;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly WakeSignal _reconnectNow = new(time);

    // ±20% so a line of boxes does not reconnect to a restarted broker in lock-step.
    private readonly Backoff _reconnect = new(options.Value.ReconnectMinDelay, options.Value.ReconnectMaxDelay, time, jitter: 0.2);
    private readonly Lock _subscriptionGate = new();
    private readonly List<Subscription> _subscriptions = [];

    /// <summary>The box's topics.</summary>
    public Topics Topics { get; } = new(options.Value);

    /// <summary>True while the last connect or ping succeeded.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>
    /// Publishes with QoS 1 and waits for PUBACK at most <see cref="MqttOptions.PublishTimeout"/>.
    /// False means "not acknowledged" (the broker may still have it: hence stable ids). A timeout makes the
    /// supervisor reconnect at once, because keep-alive alone misses a dead link while we publish.
    /// </summary>
    public async Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            var builder = signer.Sign(new MqttApplicationMessageBuilder(), payload.Span).WithTopic(topic).WithPayload(payload.ToArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain);
            if (topic == Topics.State)
            {
                // The retained state is where a consumer finds the box's public key (MQTT 5 keeps a retained message's properties).
                builder = builder.WithUserProperty(BoxSigner.PublicKeyProperty, Encoding.ASCII.GetBytes(signer.Key.PublicKeyBase64));
            }

            var message = builder.Build();
            var result = await _client.PublishAsync(message, timeout.Token).ConfigureAwait(false);
            return result.IsSuccess;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(logger, topic, e.GetType().Name, e.Message);
            IsConnected = false;
            WakeSupervisor();
            return false;
        }
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="topicFilter"/> (QoS 1) now if connected and after every
    /// reconnect. The handler runs on the client's receive loop: it must be quick, and must not await a QoS 1
    /// publish (its PUBACK would wait behind the handler itself).
    /// </summary>
    public async Task SubscribeAsync(string topicFilter, Func<MqttApplicationMessage, Task> handler, CancellationToken cancellationToken)
    {
        lock (_subscriptionGate)
        {
            _subscriptions.Add(new Subscription(topicFilter, handler));
        }

        if (IsConnected && !await SubscribeAllAsync(cancellationToken).ConfigureAwait(false))
        {
            WakeSupervisor();
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!IsConnected || !await PingAsync(stoppingToken).ConfigureAwait(false))
            {
                IsConnected = await ConnectAsync(stoppingToken).ConfigureAwait(false);
                if (IsConnected)
                {
                    _reconnect.Reset();
                }
            }

            var wait = IsConnected ? _options.KeepAlive : _reconnect.NextDelay();
            await _reconnectNow.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client.IsConnected)
            {
                // A clean disconnect suppresses the will, so say offline ourselves first.
                await PublishAsync(Topics.State, "offline"u8.ToArray(), retain: true, cancellationToken).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The host's stop timeout ran out or the link is gone: the broker's last will says offline instead.
        }

        IsConnected = false;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            await _client.PingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            // During a stop the ping is abandoned, whatever it threw; the stop is not a failure.
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.PingFailed(logger, e.Message);
            }

            return false;
        }
    }

    private async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            if (_client.IsConnected)
            {
                // After a failed ping the client may still claim to be connected.
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).ConfigureAwait(false);
            }

            var offline = Encoding.UTF8.GetBytes("offline");
            var builder = signer.SignWill(new MqttClientOptionsBuilder(), offline, withPublicKey: true)
                .ForAgent(_options, _options.EffectiveClientId)
                .WithWillTopic(Topics.State)
                .WithWillPayload(offline)
                .WithWillRetain()
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);

            var result = await _client.ConnectAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                // ConnectAsync does not throw on a refusal; the result code says it.
                Log.ConnectRefused(logger, _options.Host, _options.Port, result.ResultCode.ToString());
                return false;
            }

            // Connected counts only once the subscriptions are back: a command sent then is not lost.
            if (!await SubscribeAllAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            IsConnected = true;

            await PublishAsync(Topics.State, "online"u8.ToArray(), retain: true, cancellationToken).ConfigureAwait(false);
            Log.Connected(logger, _options.Host, _options.Port, _options.EffectiveClientId);
            return IsConnected;
        }
        catch (Exception e)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.ConnectFailed(logger, _options.Host, _options.Port, e.Message);
            }

            return false;
        }
    }

    private async Task<bool> SubscribeAllAsync(CancellationToken cancellationToken)
    {
        string[] filters;
        lock (_subscriptionGate)
        {
            filters = [.. _subscriptions.Select(s => s.Filter).Distinct(StringComparer.Ordinal)];
        }

        if (filters.Length == 0)
        {
            return true;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            var builder = new MqttClientSubscribeOptionsBuilder();
            foreach (var filter in filters)
            {
                builder = builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            var result = await _client.SubscribeAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
            var refused = result.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2).ToList();
            foreach (var item in refused)
            {
                Log.SubscribeRefused(logger, item.TopicFilter.Topic, item.ResultCode.ToString());
            }

            // A refusal (e.g. the broker's ACL) will not change on a reconnect: say so once per connect, stay connected.
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SubscribeFailed(logger, e.Message);
            IsConnected = false;
            return false;
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        Subscription[] matching;
        lock (_subscriptionGate)
        {
            matching = [.. _subscriptions.Where(s => MqttTopicFilterComparer.Compare(e.ApplicationMessage.Topic, s.Filter) == MqttTopicFilterCompareResult.IsMatch)];
        }

        foreach (var subscription in matching)
        {
            await subscription.Handler(e.ApplicationMessage).ConfigureAwait(false);
        }
    }

    private void WakeSupervisor() => _reconnectNow.Set(); // coalesces: many failed publishes, one reconnect

    private sealed record Subscription(string Filter, Func<MqttApplicationMessage, Task> Handler);
}
