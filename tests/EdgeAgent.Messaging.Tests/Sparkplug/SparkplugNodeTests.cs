using System.Collections.Concurrent;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Sparkplug;
using EdgeAgent.Messaging.Tests.Support;
using EdgeAgent.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests.Sparkplug;

/// <summary>
/// The edge node alone, with readings a test sets, against a real mosquitto that is stopped and started again: data
/// carries only what changed, and after the broker comes back the node is born again with the next bdSeq and the
/// values of then. The host's session and the QoS 0 messages queued for it survive the restart, so what the test
/// misses is the node's doing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SparkplugNodeTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;
    private const int ConnectFailed = 4201;
    private readonly SettableSource _source = new();
    private readonly CountingLogger _log = new();
    private SparkplugNode? _node;
    private SparkplugListener? _host;
    private readonly BoxSigner _signer;

    public SparkplugNodeTests()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"), "queue_qos0_messages true");
        _signer = new BoxSigner(Path.Combine(_temp.Path, "box-signing.key"));
    }

    // Issue 17, hole 4: a Sparkplug host learns the box key from the NBIRTH, and every message carries its signature.
    [Fact]
    public async Task Birth_NodeBirth_NamesTheBoxKeyAndEveryMessageIsSignedWithIt()
    {
        await WaitUntil(() => Count("DBIRTH") == 1);
        _source.Reading = _source.Reading with { Pairs = new SparkplugCounts(1, 1, 0, 0, 0) };
        await WaitUntil(() => Count("DDATA") == 1);

        var birth = _host!.Messages.Single(m => m.Verb == "NBIRTH");
        var key = _signer.Key;
        Assert.Equal(key.KeyId, birth.Metric(SparkplugMetrics.KeyId)!.StringValue);
        Assert.Equal(key.PublicKeyBase64, birth.Metric(SparkplugMetrics.PublicKey)!.StringValue);
        var publicKey = Convert.FromBase64String(birth.Metric(SparkplugMetrics.PublicKey)!.StringValue);
        Assert.All(_host.Messages, m => Assert.True(m.Signed!.VerifiesWith(publicKey, key.KeyId), $"{m.Topic} does not verify"));
    }

    [Fact]
    public async Task Report_TwoCountersChanged_DdataCarriesExactlyThoseTwo()
    {
        await WaitUntil(() => Count("DBIRTH") == 1);

        _source.Reading = _source.Reading with { Pairs = new SparkplugCounts(1, 1, 0, 0, 0) };
        await WaitUntil(() => Count("DDATA") == 1);

        var data = _host!.Messages.Single(m => m.Verb == "DDATA");
        Assert.Equal(["Pairs/Total", "Pairs/OK"], data.Payload.Metrics.Select(m => m.Name));
        Assert.Equal(2UL, data.Payload.Seq);
    }

    [Fact]
    public async Task Run_BrokerRestartedAfterRefusedConnects_BornAgainWithTheNextBdSeqAndTheValuesOfThen()
    {
        await WaitUntil(() => Count("DBIRTH") == 1);

        _broker.Stop();
        _source.Reading = _source.Reading with { State = "degraded", Pairs = new SparkplugCounts(7, 5, 1, 1, 0) };
        await WaitUntil(() => _log.Count(ConnectFailed) >= 2); // connects refused while it is down spend no bdSeq: no CONNECT left
        _broker.Start();
        await _host!.ReconnectAsync();
        await WaitUntil(() => Count("DBIRTH") == 2);

        var births = _host.Messages.Where(m => m.Verb == "NBIRTH").ToList();
        Assert.Equal([0L, 1L], births.Select(b => b.BdSeq));
        Assert.All(births, b => Assert.Equal(0UL, b.Payload.Seq));
        var reborn = _host.Messages.Last(m => m.Verb == "DBIRTH");
        Assert.Equal(1UL, reborn.Payload.Seq);
        Assert.Equal("degraded", reborn.Metric("State")!.StringValue);
        Assert.Equal(7UL, reborn.Metric("Pairs/Total")!.LongValue);
    }

    public async Task InitializeAsync()
    {
        _host = await SparkplugListener.StartAsync(_broker.Port, "test-sparkplug-host", persistent: true);
        var mqtt = new MqttOptions
        {
            Host = "127.0.0.1",
            Port = _broker.Port,
            Site = "t",
            Line = "l",
            Station = "node",
            KeepAlive = TimeSpan.FromSeconds(1),
            PublishTimeout = TimeSpan.FromSeconds(2),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        };
        var sparkplug = new SparkplugOptions { Enabled = true, ReportInterval = TimeSpan.FromMilliseconds(100), BdSeqFile = Path.Combine(_temp.Path, "bdseq") };
        _node = new SparkplugNode(Options.Create(sparkplug), Options.Create(mqtt), _signer, _source, TimeProvider.System, _log);
        await _node.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync(CancellationToken.None);
            _node.Dispose();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _broker.Dispose();
        _signer.Dispose();
        _temp.Dispose();
    }

    private int Count(string verb) => _host!.Messages.Count(m => m.Verb == verb);

    private static Task WaitUntil(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(20));

    /// <summary>Counts the node's log events by id.</summary>
    private sealed class CountingLogger : ILogger<SparkplugNode>
    {
        private readonly ConcurrentDictionary<int, int> _events = new();

        public int Count(int eventId) => _events.GetValueOrDefault(eventId);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _events.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);
    }

    private sealed class SettableSource : ISparkplugSource
    {
        private SparkplugReading _reading = new("healthy", new SparkplugModel("m", "1.0.0", "CPU"), new SparkplugCounts(0, 0, 0, 0, 0), 0, new SparkplugDrift("stable", 0), null);

        public SparkplugReading Reading
        {
            get => Volatile.Read(ref _reading);
            set => Volatile.Write(ref _reading, value);
        }

        public SparkplugReading Read() => Reading;
    }
}
