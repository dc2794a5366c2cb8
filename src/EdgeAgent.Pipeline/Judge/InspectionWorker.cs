using System.Threading.Channels;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Judges the pairs ingest found, in their order, keeping the model busy: up to
/// <see cref="PipelineOptions.PrepareWorkersFor"/> pairs are decoded, aligned and cropped in parallel
/// while the model runs; prepared pairs are batched (<see cref="DynamicBatcher{T}"/>) per model and judged
/// by one run each, up to <see cref="PipelineOptions.LanesFor"/> runs at once; verdicts go to
/// the journal in ingest order. Each pair leases the model its product routes
/// to when its preparation starts, so an activation takes effect between pairs. A pair that throws anyway
/// becomes REVIEW INTERNAL_ERROR, one without a model REVIEW MODEL_UNAVAILABLE: the loop never dies on one
/// pair and never says OK without a model. A pair whose judging killed the whole process (a native crash no
/// catch can stop) on <see cref="ReasonCode.MaxJudgingAttempts"/> resumptions is REVIEW CRASHED_WHILE_JUDGING
/// instead of crashing every restart.
/// </summary>
public sealed class InspectionWorker(
    PipelineChannels channels,
    ActiveModels models,
    IPairJournal journal,
    IOptions<PipelineOptions> options,
    IOptions<InferenceOptions> inference,
    StationIdentity station,
    PipelineProgress progress,
    AgentMetrics metrics,
    VerdictIdGenerator ids,
    ShadowTally shadows,
    TimeProvider time,
    ILogger<InspectionWorker> logger) : BackgroundService
{
    private readonly PipelineOptions _options = options.Value;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Sized for the provider the default model runs on: a CPU box shares its cores out, a GPU box decodes on all.
        var provider = models.Snapshot().GetValueOrDefault(models.DefaultModel)?.Model.Provider ?? OnnxModel.CpuProvider;
        var workers = _options.PrepareWorkersFor(provider);
        var lanes = _options.LanesFor(provider, inference.Value.EffectiveIntraOpThreads);
        Log.Sized(logger, provider, workers, lanes, inference.Value.EffectiveIntraOpThreads, _options.MaxBatch);
        // Ordered hand-off: each entry is a preparation in progress; room for a full batch beyond the workers.
        var preparing = Channel.CreateBounded<Task<Item>>(new BoundedChannelOptions(workers + _options.MaxBatch) { SingleReader = true, SingleWriter = true });
        var batcher = new DynamicBatcher<Item>(preparing.Reader, item => item.Lease?.Inspector, _options.MaxBatch, _options.MaxBatchWait,
            () => channels.Candidates.Reader.Count > 0, time);
        var dispatching = DispatchAsync(preparing.Writer, workers, stoppingToken);
        // Batches run on up to `lanes` threads at once and leave in the order they were cut.
        var judging = Channel.CreateBounded<Task<Judged>>(new BoundedChannelOptions(lanes) { SingleReader = true, SingleWriter = true });
        var writing = WriteInOrderAsync(judging.Reader);
        using var free = new SemaphoreSlim(lanes, lanes);
        try
        {
            // Not cancellable: pairs already being prepared are judged and journalled even during a stop
            // (a few batches); pairs still in the candidate queue stay "seen" and resume at the next start.
            while (await batcher.NextAsync(CancellationToken.None).ConfigureAwait(false) is { } batch)
            {
                await free.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                progress.InspectionStarted();
                var run = Task.Run(() =>
                {
                    try
                    {
                        return new Judged(batch, Judge(batch));
                    }
                    finally
                    {
                        free.Release();
                    }
                });
                await judging.Writer.WriteAsync(run, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            judging.Writer.TryComplete();
            await writing.ConfigureAwait(false);
            await dispatching.ConfigureAwait(false);
            channels.Judged.Writer.TryComplete();
        }
    }

    private async Task DispatchAsync(ChannelWriter<Task<Item>> preparing, int workers, CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(workers, workers);
        try
        {
            await foreach (var pair in channels.Candidates.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var work = Task.Run(() =>
                {
                    try
                    {
                        return Prepare(pair);
                    }
                    finally
                    {
                        slots.Release();
                    }
                });
                await preparing.WriteAsync(work, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is dispatched gets judged, the rest resumes at the next start.
        }
        finally
        {
            preparing.TryComplete();
            // The semaphore outlives the in-flight preparations that release it.
            for (var i = 0; i < workers; i++)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private Item Prepare(PairCandidate pair)
    {
        // Only resumed pairs are counted: a pair the process died on is always resumed, and counting every
        // fresh pair would cost a journal write each.
        var attempts = pair.Resumed ? journal.BeginAttempt(pair.VerdictId) : 0;
        if (attempts > ReasonCode.MaxJudgingAttempts)
        {
            Log.GivenUp(logger, pair.ImagePath, attempts);
            return new Item(pair, null, null, Review(pair, ReasonCode.CrashedWhileJudging, $"the agent stopped {attempts} times before this pair had a verdict, the last {attempts - 1} while judging it again; it is not judged again"));
        }

        var route = models.RouteOf(pair.Product);
        if (route.Source == RouteSource.None)
        {
            return new Item(pair, null, null, NotRouted(pair)) { Route = route.SourceName };
        }

        var lease = models.Acquire(route);
        if (lease is null)
        {
            var missing = route.Models.Where(m => !models.Snapshot().ContainsKey(m));
            return new Item(pair, null, null, Review(pair, ReasonCode.ModelUnavailable, $"no active model '{string.Join("', '", missing)}' for product {pair.Product}")) { Route = route.SourceName };
        }

        try
        {
            return new Item(pair, lease, lease.Inspector.Prepare(pair), null) { Route = route.SourceName };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.InspectionCrashed(logger, pair.ImagePath, e);
            lease.Dispose();
            return new Item(pair, null, null, Review(pair, ReasonCode.InternalError, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    // The files are still read and checked as for a routed product (unusable input is an ERROR whatever the product),
    // but no model runs: a pair that passes the checks is REVIEW PRODUCT_NOT_ROUTED.
    private Verdict NotRouted(PairCandidate pair)
    {
        var notRouted = Review(pair, ReasonCode.ProductNotRouted,
            $"product {pair.Product} is not under Products and the default model {models.DefaultModel} was not trained on it; name it under Products, or set Routing:UnknownProducts=DefaultModel");
        using var lease = models.AcquireDefault();
        if (lease is null)
        {
            return notRouted;
        }

        try
        {
            // Every input check comes before alignment, so the pair is not aligned: nothing will be judged on it.
            using var prepared = lease.Inspector.Prepare(pair, align: false);
            return prepared.Verdict is { Outcome: VerdictKind.Error } unusable ? unusable : notRouted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.InspectionCrashed(logger, pair.ImagePath, e);
            return notRouted;
        }
    }

    private async Task WriteInOrderAsync(ChannelReader<Task<Judged>> judging)
    {
        await foreach (var run in judging.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var (batch, verdicts) = await run.ConfigureAwait(false);
            progress.InspectionFinished();
            for (var i = 0; i < batch.Count; i++)
            {
                var (item, verdict) = (batch[i], verdicts[i]);
                verdict = item.Route is null ? verdict : verdict with { Route = item.Route };
                Record(item, verdict);
                var heatmaps = item.Prepared?.Heatmaps ?? [];
                shadows.Record(verdict);
                item.Prepared?.Dispose();
                item.Lease?.Dispose();
                Log.Judged(logger, item.Pair.PairId, item.Pair.Product, verdict.Outcome, verdict.Score ?? double.NaN, verdict.Reason ?? "-");
                // Not cancellable: a verdict already decided goes to the journal even during a stop.
                await channels.Judged.Writer.WriteAsync(new JudgedPair(item.Pair, verdict, heatmaps), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    // The inspector's own timings, as the verdict carries them: stages a pair never reached (0) are not recorded.
    private void Record(Item item, Verdict verdict)
    {
        metrics.PairJudged(verdict.Outcome, verdict.Reason, item.Pair.Product);
        if (verdict.Route is { } route)
        {
            metrics.PairRouted(item.Pair.Product, route);
        }

        if (verdict.Ood is { Beyond: true })
        {
            metrics.PairOutOfDistribution(item.Pair.Product, verdict.Outcome == VerdictKind.Review);
        }
        if (verdict.TimingsMs.Decode > 0)
        {
            metrics.StageTime(AgentMetrics.Stage.Decode, TimeSpan.FromMilliseconds(verdict.TimingsMs.Decode));
        }

        if (verdict.TimingsMs.Align > 0)
        {
            metrics.StageTime(AgentMetrics.Stage.Align, TimeSpan.FromMilliseconds(verdict.TimingsMs.Align));
        }

        if (verdict.Score is not null)
        {
            metrics.StageTime(AgentMetrics.Stage.Score, TimeSpan.FromMilliseconds(verdict.TimingsMs.Score));
        }
    }

    private IReadOnlyList<Verdict> Judge(IReadOnlyList<Item> batch)
    {
        if (batch[0].Lease is not { } lease)
        {
            return [.. batch.Select(i => i.Decided!)];
        }

        try
        {
            // Pairs decided while being prepared (bad input) do not reach the models; a batch of only those has no run.
            var ready = batch.Count(i => i.Prepared is { Verdict: null });
            var shadow = lease.Panel.Shadow;
            // The shadow never slows the line: with pairs queueing it skips this batch, and says so in its figures.
            var withShadow = shadow is not null && channels.Candidates.Reader.Count < _options.ShadowMaxQueue;
            var verdicts = lease.Inspector.Judge([.. batch.Select(i => i.Prepared!)], withShadow);
            if (shadow is not null && !withShadow && ready > 0)
            {
                foreach (var product in batch.Where(i => i.Prepared is { Verdict: null }).GroupBy(i => i.Pair.Product))
                {
                    shadows.Skipped(product.Key, shadow.Name, shadow.Version, product.Count());
                }
            }

            var judged = verdicts.Where(v => v.Models is not null).ToList();
            if (judged.Count > 0)
            {
                // Every pair of a run carries its models' run times; each model's run is counted once.
                foreach (var said in judged[0].Models!.Append(judged[0].Shadow).OfType<ModelVerdict>())
                {
                    metrics.ModelRun(said.Name, lease.Panel.All.First(m => m.Name == said.Name && m.Version == said.Version).Model.Provider, TimeSpan.FromMilliseconds(said.InferMs));
                }
            }

            foreach (var verdict in judged)
            {
                foreach (var (model, said) in lease.Panel.Members.Zip(verdict.Models!))
                {
                    models.ReportInference(model, succeeded: said.Score is not null);
                }
            }

            return verdicts;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.InspectionCrashed(logger, batch[0].Pair.ImagePath, e);
            return [.. batch.Select(i => Review(i.Pair, ReasonCode.InternalError, $"{e.GetType().Name}: {e.Message}"))];
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

    /// <summary>A batch with its verdicts, in the batch's order.</summary>
    private sealed record Judged(IReadOnlyList<Item> Batch, IReadOnlyList<Verdict> Verdicts);

    /// <summary>A pair on its way through the pipeline: prepared under a model lease, or already decided.</summary>
    private sealed record Item(PairCandidate Pair, ActiveModels.PanelLease? Lease, PreparedPair? Prepared, Verdict? Decided)
    {
        /// <summary>How the product found its models (the verdict's <c>route</c>); null when the pair never reached routing.</summary>
        public string? Route { get; init; }
    }
}
