using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NSec.Cryptography;

namespace EdgeAgent.Testing;

/// <summary>One MQTT message as a consumer got it: the payload bytes exactly as published and the MQTT 5 user properties.</summary>
public sealed record ReceivedMessage(string Topic, byte[] Payload, IReadOnlyDictionary<string, string> Properties, bool Retained)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The message as received: its payload bytes and its user properties (the last value of a repeated name).</summary>
    public static ReceivedMessage From(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var properties = (message.UserProperties ?? []).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => Encoding.UTF8.GetString(g.Last().ValueBuffer.ToArray()));
        return new ReceivedMessage(message.Topic, message.Payload.ToArray(), properties, message.Retain);
    }

    public string? Property(string name) => Properties.GetValueOrDefault(name);

    /// <summary>
    /// The README's C# check, as a consumer writes it: the <c>kid</c> names the pinned key, and <c>sig</c> is that key's
    /// Ed25519 signature over exactly the payload bytes. Anything else (missing, malformed, another key) is false.
    /// </summary>
    public bool VerifiesWith(byte[] publicKey, string keyId)
    {
        if (Property("kid") != keyId || Property("sig") is not { } sig
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key))
        {
            return false;
        }

        var signature = new byte[64];
        return Convert.TryFromBase64String(sig, signature, out var length) && length == 64
            && SignatureAlgorithm.Ed25519.Verify(key!, Payload, signature);
    }
}

/// <summary>A separate MQTT 5 client that records every message on its topic filters, in arrival order.</summary>
public sealed class TopicRecorder : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Lock _gate = new();
    private readonly List<ReceivedMessage> _messages = [];

    private TopicRecorder()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var message = ReceivedMessage.From(e.ApplicationMessage);
            lock (_gate)
            {
                _messages.Add(message);
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public static async Task<TopicRecorder> StartAsync(int port, params string[] filters)
    {
        var recorder = new TopicRecorder();
        await recorder._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithClientId($"recorder-{Guid.NewGuid():N}").WithProtocolVersion(MqttProtocolVersion.V500).Build());
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await recorder._client.SubscribeAsync(subscribe.Build());
        return recorder;
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
