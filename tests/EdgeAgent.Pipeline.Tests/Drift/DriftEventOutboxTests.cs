using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using EdgeAgent.Drift;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Publish;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace EdgeAgent.Pipeline.Tests.Drift;

/// <summary>
/// A drift event takes the verdicts' way out: stored in the real LiteDB journal while the broker is away, still there
/// after the agent is gone and the journal reopened, then published to a real mosquitto on <c>…/event</c> and marked.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DriftEventOutboxTests : IDisposable
{
    private static readonly StationIdentity Station = new("dr", "a", "l", "s");
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public DriftEventOutboxTests() => _broker = new MosquittoBroker(_temp.Sub("broker"));

    [Fact]
    public async Task DriftEvent_RaisedWhileTheBrokerIsAway_IsStoredThenPublishedOnceItIsBack()
    {
        var path = Path.Combine(_temp.Path, "data", "edgeagent.db");
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "dr", Area = "a", Line = "l", Station = "s" };
        _broker.Stop();
        using var metrics = new AgentMetrics(_services.GetRequiredService<IMeterFactory>());
        using var counted = new MetricsReader(metrics);
        using (var log = VerdictLog.Open(path))
        {
            var drift = new DriftMonitor(Options.Create(new DriftOptions { Window = 50 }), log, Station, new VerdictIdGenerator(TimeProvider.System), metrics, NullLogger<DriftMonitor>.Instance);
            await drift.StartAsync(CancellationToken.None);
            var stream = DriftingVerdicts.Stream(200, shiftAt: 100, gain: 1.3);
            drift.Observe(log.Append([.. stream.Select(v => (v, "k/" + v.PairId))]));
            // A gain moves brightness and contrast: two events, on disk before any publish (nobody could acknowledge them).
            Assert.Equal(2, log.PendingEvents(10).Count);
            Assert.Equal(2, counted.Sum(AgentMetrics.DriftEvents, t => t["product"] == "UBM"));
        }

        _broker.Start();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        var payloads = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            payloads.Enqueue(System.Text.Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()));
            if (payloads.Count == 2)
            {
                received.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).Build());
        await subscriber.SubscribeAsync(new Topics(mqtt).Event);

        using (var log = VerdictLog.Open(path))
        {
            using var signer = new BoxSigner(Path.Combine(_temp.Path, "data", "box-signing.key"));
            using var connection = new MqttConnection(Options.Create(mqtt), signer, TimeProvider.System, NullLogger<MqttConnection>.Instance);
            using var publisher = new VerdictPublisher(log, log, log, new OutboxGate(1000), connection, metrics, TimeProvider.System, NullLogger<VerdictPublisher>.Instance);
            await connection.StartAsync(CancellationToken.None);
            await publisher.StartAsync(CancellationToken.None);
            await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
            while (log.PendingEvents(10).Count > 0 || log.PendingCount() > 0)
            {
                await Task.Delay(50); // the mark follows the PUBACK; xunit's own timeout bounds a mark that never comes
            }

            await publisher.StopAsync(CancellationToken.None);
            await connection.StopAsync(CancellationToken.None);

            var events = payloads.Select(p => JsonSerializer.Deserialize(p, DriftJsonContext.Default.DriftEvent)!).OrderBy(e => e.Series, StringComparer.Ordinal).ToList();
            Assert.Equal(["brightness", "contrast"], events.Select(e => e.Series));
            Assert.All(events, e => Assert.Equal(("edgeagent.event/1", "drift", "UBM", Station), (e.Schema, e.Type, e.Product, e.Station)));
            Assert.All(events, e => Assert.True(e.Value > e.Limit && e.Limit > e.Reference, $"{e.Value} {e.Limit} {e.Reference}"));
            Assert.Equal(events.Select(e => e.Id).Order(StringComparer.Ordinal), log.RecentEvents(10).Select(e => e.Id).Order(StringComparer.Ordinal));
        }

        await subscriber.DisconnectAsync();
    }

    public void Dispose()
    {
        _services.Dispose();
        _broker.Dispose();
        _temp.Dispose();
    }
}
