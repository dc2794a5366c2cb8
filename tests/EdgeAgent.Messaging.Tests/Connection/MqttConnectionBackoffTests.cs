using EdgeAgent.Messaging.Broker;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Tests.Connection;

/// <summary>
/// The supervisor's reconnect backoff, on a fake clock: every wait it starts is a timer on the injected
/// <see cref="TimeProvider"/>, so the test reads each wait's length and advances exactly past it; the broker is a
/// real in-process MQTTnet server on a port where, at first, nothing listens.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttConnectionBackoffTests : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private readonly RecordingTimeProvider _time = new();
    private readonly TempFolder _temp = new();
    private readonly BoxSigner _signer;

    public MqttConnectionBackoffTests() => _signer = new BoxSigner(Path.Combine(_temp.Path, "box-signing.key"));

    public void Dispose()
    {
        _signer.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_NoBrokerListening_AttemptsSpacedByDoublingJitteredDelaysUpToTheCap()
    {
        using var connection = Connection(EmbeddedBroker.FreePort());
        await connection.StartAsync(CancellationToken.None);
        try
        {
            var waits = new List<TimeSpan>();
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var wait = await _time.NextTimerAsync(); // attempt failed, supervisor waiting
                waits.Add(wait);
                _time.Advance(wait - TimeSpan.FromMilliseconds(1));
                await Task.Delay(50); // room for an early attempt to show itself: none may
                Assert.True(_time.NoNewTimer, $"attempt {attempt + 2} came before its {wait} delay was over");
                _time.Advance(TimeSpan.FromMilliseconds(1));
            }

            Assert.False(connection.IsConnected);
            // ±20% jitter around 1, 2, 4, then the 4 s cap.
            foreach (var (wait, step) in waits.Zip(new[] { 1.0, 2, 4, 4, 4 }))
            {
                Assert.InRange(wait.TotalSeconds, step * 0.8, step * 1.2);
            }
        }
        finally
        {
            await connection.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ExecuteAsync_BrokerComesBack_ConnectsAtTheNextAttemptAndBackoffStartsOver()
    {
        var port = EmbeddedBroker.FreePort();
        using var connection = Connection(port);
        await connection.StartAsync(CancellationToken.None);
        try
        {
            _time.Advance(await _time.NextTimerAsync());
            var second = await _time.NextTimerAsync();
            Assert.InRange(second.TotalSeconds, 1.6, 2.4);

            await using (await EmbeddedBroker.StartAsync(port))
            {
                _time.Advance(second);

                Assert.Equal(KeepAlive, await _time.NextTimerAsync()); // connected: the next wait is the ping's
                Assert.True(connection.IsConnected);
            }

            // Broker gone again: the failed ping leads to a reconnect whose backoff starts from the first delay.
            _time.Advance(KeepAlive);
            Assert.InRange((await _time.NextTimerAsync()).TotalSeconds, 0.8, 1.2);
            Assert.False(connection.IsConnected);
        }
        finally
        {
            await connection.StopAsync(CancellationToken.None);
        }
    }

    private MqttConnection Connection(int port) => new(
        Options.Create(new MqttOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Site = "t",
            Area = "a",
            Line = "l",
            Station = "backoff",
            KeepAlive = KeepAlive,
            PublishTimeout = TimeSpan.FromSeconds(2),
            ReconnectMinDelay = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(4),
        }),
        _signer,
        _time,
        NullLogger<MqttConnection>.Instance);
}
