using EdgeAgent.Host.Health;
using EdgeAgent.Host.Models;
using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Host.Pipeline;

/// <summary>
/// Takes complete pairs from ingest, judges each with the model its product routes to and hands the
/// verdicts to the journal. The model is leased for exactly one pair, so an activation takes effect between
/// pairs. A pair that throws anyway becomes REVIEW INTERNAL_ERROR, one without a model REVIEW
/// MODEL_UNAVAILABLE: the loop never dies on one pair and never says OK without a model. A pair whose
/// judging killed the whole process (a native crash no catch can stop) <see cref="ReasonCode.MaxJudgingAttempts"/>
/// times is REVIEW CRASHED_WHILE_JUDGING instead of crashing every restart.
/// </summary>
public sealed class InspectionWorker(
    PipelineChannels channels,
    ActiveModels models,
    IPairJournal journal,
    StationIdentity station,
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
            progress.InspectionStarted();
            var verdict = Judge(pair);
            progress.InspectionFinished(verdict.Outcome);
            Log.Judged(logger, pair.PairId, pair.Product, verdict.Outcome, verdict.Score ?? double.NaN, verdict.Reason ?? "-");
            // Not cancellable: a verdict already decided goes to the journal even during a stop.
            await channels.Judged.Writer.WriteAsync(new JudgedPair(pair, verdict), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Verdict Judge(PairCandidate pair)
    {
        var attempts = pair.VerdictId.Length > 0 ? journal.BeginAttempt(pair.VerdictId) : 1;
        if (attempts > ReasonCode.MaxJudgingAttempts)
        {
            Log.GivenUp(logger, pair.ImagePath, attempts - 1);
            return Review(pair, ReasonCode.CrashedWhileJudging, $"the agent stopped {attempts - 1} times while judging this pair; it is not judged again");
        }

        using var lease = models.Acquire(pair.Product);
        if (lease is null)
        {
            return Review(pair, ReasonCode.ModelUnavailable, $"no active model '{models.RouteOf(pair.Product)}' for product {pair.Product}");
        }

        try
        {
            var verdict = lease.Model.Inspector.Inspect(pair);
            if (verdict.Score is not null || verdict.Reason == ReasonCode.InferenceFailed)
            {
                models.ReportInference(lease.Model, succeeded: verdict.Score is not null);
            }

            return verdict;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.InspectionCrashed(logger, pair.ImagePath, e);
            return Review(pair, ReasonCode.InternalError, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private Verdict Review(PairCandidate pair, string reason, string detail) => new()
    {
        Id = pair.VerdictId.Length > 0 ? pair.VerdictId : ids.Next(),
        Seq = 0,
        PairId = pair.PairId,
        Product = pair.Product,
        Trace = pair.Trace,
        Image = new SourceFile(pair.ImagePath, null),
        Template = pair.TemplatePath is null ? null : new SourceFile(pair.TemplatePath, null),
        Outcome = VerdictKind.Review,
        Reason = reason,
        Detail = detail,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = station,
        JudgedAt = time.GetUtcNow(),
    };
}
