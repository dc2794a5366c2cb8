using System.Text;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Messaging.Tests.Subscribe;

/// <summary>
/// The product's own consumer (the demo's) with a pinned box key, on a real mosquitto: a spoof published first under a
/// verdict's id is dropped before de-duplication, so the signed verdict with that id is the one raised.
/// </summary>
[Trait("Category", "Integration")]
public sealed class VerdictSubscriberTests : IDisposable
{
    private const string Topic = "aoi/sub/a/l/s/edgeagent/v1/verdict";
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Received_PinnedKeyAndASpoofFirst_OnlyTheSignedVerdictIsRaised()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        using var key = BoxKey.LoadOrCreate(Path.Combine(_temp.Path, "box-signing.key"), out _);
        await using var consumer = await VerdictSubscriber.ConnectAsync("127.0.0.1", broker.Port, Topic, CancellationToken.None, key);
        var raised = new List<string>();
        var done = new TaskCompletionSource();
        consumer.Received += v =>
        {
            lock (raised)
            {
                raised.Add(v.Outcome.ToString());
            }

            done.TrySetResult();
        };

        using var signer = new BoxSigner(Path.Combine(_temp.Path, "box-signing.key"));
        await PublishAsync(broker.Port, Verdict("OK"), m => m.WithUserProperty(BoxSigner.KeyIdProperty, Encoding.ASCII.GetBytes(key.KeyId)));
        await PublishAsync(broker.Port, Verdict("NG"), m => signer.Sign(m, Verdict("NG")));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["Ng"], raised);
        Assert.Equal((2, 1), (consumer.Deliveries, consumer.Unverified));
    }

    public void Dispose() => _temp.Dispose();

    private static byte[] Verdict(string outcome) => Encoding.UTF8.GetBytes(
        $$"""{"schema":"edgeagent.verdict/4","id":"01KAS3V3Q4Z9X8B1T2M5N6P7R8","seq":1,"pairId":"p","product":"M1","image":{"path":"/aoi/p_image.png","sha256":null},"verdict":"{{outcome}}","timingsMs":{"decode":1,"align":1,"infer":1,"score":1,"total":4},"station":{"site":"s","area":"a","line":"l","station":"s"},"judgedAt":"2026-12-07T10:00:00+00:00"}""");

    private static async Task PublishAsync(int port, byte[] payload, Func<MqttApplicationMessageBuilder, MqttApplicationMessageBuilder> sign)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await client.PublishAsync(sign(new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build());
        await client.DisconnectAsync();
    }
}
