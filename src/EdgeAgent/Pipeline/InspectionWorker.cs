using EdgeAgent.Host.Health;
using EdgeAgent.Host.Inspect;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Host.Pipeline;

/// <summary>
/// Takes complete pairs from ingest, judges them and hands the verdicts to the journal. A pair that
/// throws anyway becomes REVIEW INTERNAL_ERROR: the loop never dies on one pair.
/// </summary>
public sealed class InspectionWorker(
    PipelineChannels channels,
    PairInspector inspector,
    PipelineProgress progress,
    VerdictIdGenerator ids,
    TimeProvider time,
    ILogger<InspectionWorker> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await InspectAllAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // Lets the journal drain what was judged before the stop; pairs still queued stay "seen"
            // in the journal and are resumed with the same verdict id at the next start.
            channels.Judged.Writer.TryComplete();
        }
    }

    private async Task InspectAllAsync(CancellationToken stoppingToken)
    {
        await foreach (var pair in channels.Candidates.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            Verdict verdict;
            progress.InspectionStarted();
            try
            {
                verdict = inspector.Inspect(pair);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.InspectionCrashed(logger, pair.ImagePath, e);
                verdict = InternalError(pair, e);
            }

            progress.InspectionFinished(verdict.Outcome);
            Log.Judged(logger, pair.PairId, pair.Product, verdict.Outcome, verdict.Score ?? double.NaN, verdict.Reason ?? "-");
            // Not cancellable: a verdict already decided goes to the journal even during a stop.
            await channels.Judged.Writer.WriteAsync(new JudgedPair(pair, verdict), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Verdict InternalError(EdgeAgent.Ingest.PairCandidate pair, Exception e) => new()
    {
        Id = pair.VerdictId.Length > 0 ? pair.VerdictId : ids.Next(),
        Seq = 0,
        PairId = pair.PairId,
        Product = pair.Product,
        Trace = pair.Trace,
        Image = new SourceFile(pair.ImagePath, null),
        Template = pair.TemplatePath is null ? null : new SourceFile(pair.TemplatePath, null),
        Outcome = VerdictKind.Review,
        Reason = ReasonCode.InternalError,
        Detail = $"{e.GetType().Name}: {e.Message}",
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = inspector.Station,
        JudgedAt = time.GetUtcNow(),
    };
}
