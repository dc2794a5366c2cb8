using System.Diagnostics.Metrics;
using EdgeAgent.Drift;
using EdgeAgent.Ingest;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Publish;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Ingest;
using EdgeAgent.Pipeline.Journal;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Tests.Journal;

/// <summary>
/// The journal writer against a real LiteDB verdict log whose first appends fail as a full disk would, on a fake
/// clock: the retries wait the backoff's delays, then the verdict is stored once, numbered, and timed.
/// </summary>
public sealed class JournalWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RecordingTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task ExecuteAsync_TwoFailedWrites_RetriesAfterOneThenTwoSecondsAndStoresOnce()
    {
        using var log = VerdictLog.Open(Path.Combine(_temp.Path, "edgeagent.db"));
        var journal = new FailingOutbox(log, failures: 2);
        using var metrics = new AgentMetrics(_services.GetRequiredService<IMeterFactory>());
        using var reader = new MetricsReader(metrics);
        var channels = new PipelineChannels();
        var gate = new OutboxGate(100);
        using var signer = new BoxSigner(Path.Combine(_temp.Path, "box-signing.key"));
        using var connection = new MqttConnection(Options.Create(new MqttOptions { Site = "t", Area = "a", Line = "l", Station = "s" }), signer, _time, NullLogger<MqttConnection>.Instance);
        using var publisher = new VerdictPublisher(journal, log, log, gate, connection, metrics, _time, NullLogger<VerdictPublisher>.Instance);
        var drift = new DriftMonitor(Options.Create(new DriftOptions()), log, new StationIdentity("t", "a", "l", "s"), new VerdictIdGenerator(_time), metrics, NullLogger<DriftMonitor>.Instance);
        using var writer = new JournalWriter(channels, journal, publisher, drift, new ProcessedFiles(Options.Create(new IngestOptions()), NullLogger<ProcessedFiles>.Instance),
            new PipelineProgress(_time), gate, metrics, _time, NullLogger<JournalWriter>.Instance);
        var stored = new TaskCompletionSource<IReadOnlyList<JudgedPair>>(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.Stored += batch => stored.TrySetResult(batch);
        Assert.True(channels.Judged.Writer.TryWrite(Judged("v1")));

        await writer.StartAsync(CancellationToken.None);
        var first = await _time.NextTimerAsync();
        _time.Advance(first - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50); // room for an early retry to show itself: none may
        Assert.Equal(1, journal.Attempts);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await _time.NextTimerAsync();
        _time.Advance(second);
        var batch = await stored.Task.WaitAsync(TimeSpan.FromSeconds(30));
        channels.Judged.Writer.Complete();
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (first, second));
        Assert.Equal(3, journal.Attempts);
        var verdict = Assert.Single(batch).Verdict;
        Assert.Equal(("v1", 1L), (verdict.Id, verdict.Seq));
        Assert.Equal(1, log.PendingCount());
        Assert.Equal(1, gate.Backlog);
        Assert.Equal(1, reader.Count(AgentMetrics.StageDuration, t => t["stage"] == AgentMetrics.Stage.Journal));
    }

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    private static JudgedPair Judged(string id)
    {
        var pair = new PairCandidate("P1/" + id, id, "P1", "/aoi", $"/aoi/P1/{id}_image.png", $"/aoi/P1/{id}_template.png", DateTimeOffset.UnixEpoch, new Dictionary<string, string>());
        var verdict = new Verdict
        {
            Id = id,
            Seq = 0,
            PairId = id,
            Product = "P1",
            Image = new SourceFile(pair.ImagePath, null),
            Template = new SourceFile(pair.TemplatePath!, null),
            Outcome = VerdictKind.Ok,
            TimingsMs = new Timings(1, 2, 3, 4, 10),
            Station = new StationIdentity("s", "a", "l", "st"),
            JudgedAt = DateTimeOffset.UnixEpoch,
        };
        return new JudgedPair(pair with { VerdictId = id }, verdict);
    }

    /// <summary>The real verdict log, whose first <paramref name="failures"/> appends fail as a full disk does.</summary>
    private sealed class FailingOutbox(VerdictLog log, int failures) : IVerdictOutbox
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public IReadOnlyList<Verdict> Append(IReadOnlyList<(Verdict Verdict, string PairKey, IReadOnlyList<ModelHeatmap>? Heatmaps)> items) =>
            Interlocked.Increment(ref _attempts) <= failures ? throw new IOException("No space left on device") : log.Append(items);

        public IReadOnlyList<OutboxItem> Pending(int max) => log.Pending(max);

        public void MarkPublished(IReadOnlyList<string> verdictIds, DateTimeOffset at) => log.MarkPublished(verdictIds, at);

        public int PendingCount() => log.PendingCount();
    }
}
