using EdgeAgent.Messaging.Publish;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Resilience;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Journal;

/// <summary>
/// Persist first, publish second: stores each verdict (with its sequence number) and forces it to disk,
/// then wakes the publisher, then applies the after-processing rule to the AOI files. The single writer
/// of the log (the <see cref="IVerdictOutbox"/> is the verdict log). A failed write is retried with backoff
/// (one second doubling to a minute, on the injected clock); the verdicts wait in the channel meanwhile.
/// </summary>
public sealed class JournalWriter(
    PipelineChannels channels,
    IVerdictOutbox log,
    VerdictPublisher publisher,
    DriftMonitor drift,
    ProcessedFiles processedFiles,
    PipelineProgress progress,
    OutboxGate outbox,
    AgentMetrics metrics,
    TimeProvider time,
    ILogger<JournalWriter> logger) : BackgroundService
{
    private const int MaxBatch = 32;

    // A local disk has one writer: no jitter needed.
    private readonly Backoff _retry = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), time);

    /// <summary>Raised after a batch of verdicts is durably stored (the demo prints from it).</summary>
    public event Action<IReadOnlyList<JudgedPair>>? Stored;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = channels.Judged.Reader;
        var batch = new List<JudgedPair>(MaxBatch);
        // Runs until inspection completes the channel, not until the stop token: a graceful stop drains
        // every verdict already decided (the unit's TimeoutStopSec bounds it).
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var stored = await StoreAsync(batch, CancellationToken.None).ConfigureAwait(false);
            progress.Stored();
            drift.Observe(stored); // after the verdicts are on disk and before the nudge, so its events go out in the same round
            outbox.Report(log.PendingCount());
            publisher.Nudge();
            var numbered = batch.Zip(stored, (j, v) => j with { Verdict = v }).ToList();
            foreach (var judged in numbered)
            {
                processedFiles.Apply(judged.Pair, judged.Verdict.Outcome);
            }

            Stored?.Invoke(numbered);
            batch.Clear();
        }
    }

    private Task<IReadOnlyList<EdgeAgent.Verdicts.Verdict>> StoreAsync(List<JudgedPair> batch, CancellationToken cancellationToken) =>
        _retry.RetryAsync(
            () =>
            {
                var started = time.GetTimestamp();
                var stored = log.Append([.. batch.Select(j => (j.Verdict, j.Pair.Key, j.Heatmaps))]);
                // The successful write only: the retries' waits are the backoff's, not the disk's.
                metrics.StageTime(AgentMetrics.Stage.Journal, time.GetElapsedTime(started));
                return stored;
            },
            e => e is IOException or UnauthorizedAccessException,
            (e, delay) => Log.StoreFailed(logger, batch.Count, delay.TotalSeconds, e),
            cancellationToken);
}
