using System.Globalization;
using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Health;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Storage;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Health;

/// <summary>
/// Publishes the heartbeat on <c>…/metrics</c> and feeds the systemd watchdog. Hosting.Systemd has no
/// watchdog of its own, so WATCHDOG=1 is sent here every WATCHDOG_USEC/2 — only while the agent is not
/// stalled, so a wedged inference gets the process restarted. Its counts, queue depths and backlog are read from
/// the <see cref="AgentMetrics"/> instruments, so the heartbeat and an exporter never disagree.
/// </summary>
public sealed class HeartbeatService(
    IOptions<HealthOptions> options,
    IOptions<VerdictLogOptions> storage,
    VerdictLog log,
    HealthMonitor monitor,
    PipelineProgress progress,
    MetricsReader metrics,
    ActiveModels models,
    ShadowTally shadows,
    MqttConnection mqtt,
    ISystemdNotifier systemd,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    private readonly HealthOptions _options = options.Value;
    private string _lastState = "healthy";
    private (long Pairs, long Errors, DateTimeOffset At) _lastBeat;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchdog = WatchdogInterval();
        var tick = watchdog is { } w && w / 2 < _options.HeartbeatInterval ? w / 2 : _options.HeartbeatInterval;
        _lastBeat = (0, 0, time.GetUtcNow());
        var nextBeat = time.GetUtcNow();
        using var timer = new PeriodicTimer(tick, time);
        do
        {
            var (state, problems) = monitor.Evaluate();
            Transition(state, problems);
            if (watchdog is not null && state != "stalled" && systemd.IsEnabled)
            {
                systemd.Notify(new ServiceState("WATCHDOG=1"));
            }

            if (time.GetUtcNow() >= nextBeat)
            {
                await PublishAsync(state, problems, stoppingToken).ConfigureAwait(false);
                nextBeat = time.GetUtcNow() + _options.HeartbeatInterval;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static TimeSpan? WatchdogInterval() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;

    private void Transition(string state, IReadOnlyList<string> problems)
    {
        if (state == _lastState)
        {
            return;
        }

        if (state == "healthy")
        {
            Log.Recovered(logger, _lastState);
        }
        else
        {
            Log.Unhealthy(logger, state, string.Join("; ", problems));
        }

        _lastState = state;
    }

    private async Task PublishAsync(string state, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        double minutes = Math.Max((now - _lastBeat.At).TotalMinutes, 1e-6);
        long pairs = (long)metrics.Sum(AgentMetrics.Pairs);
        long errors = (long)metrics.Sum(AgentMetrics.Pairs, t => t["verdict"] is "REVIEW" or "ERROR");
        var (kpis, queue) = Today(now);
        var beat = new Heartbeat
        {
            At = now,
            State = state,
            Problems = problems,
            UptimeS = Math.Round((now - progress.Started).TotalSeconds, 1),
            Model = DefaultModel(),
            Queues = new HeartbeatQueues(Queue("candidates"), Queue("judged")),
            OutboxBacklog = (long)metrics.Gauge(AgentMetrics.OutboxBacklog),
            PairsTotal = pairs,
            PairsPerMin = Math.Round((pairs - _lastBeat.Pairs) / minutes, 1),
            ErrorsPerMin = Math.Round((errors - _lastBeat.Errors) / minutes, 1),
            DiskFreeBytes = DiskFree(storage.Value.DataDirectory),
            RssBytes = Environment.WorkingSet,
            GcHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
            Kpis = kpis,
            ReviewQueue = queue,
        };
        _lastBeat = (pairs, errors, now);
        await mqtt.PublishAsync(mqtt.Topics.Metrics, JsonSerializer.SerializeToUtf8Bytes(beat, HeartbeatJsonContext.Default.Heartbeat), retain: false, cancellationToken).ConfigureAwait(false);
        await PublishShadowsAsync(now, cancellationToken).ConfigureAwait(false);
    }

    // With the heartbeat: a supervisor deciding on a promotion reads the same figures in the log, on the dashboard and here.
    private async Task PublishShadowsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var summaries = shadows.Summaries();
        if (summaries.Count == 0)
        {
            return;
        }

        foreach (var s in summaries)
        {
            Log.Shadow(logger, s.Product, s.Model, s.Version, s.Agree, s.OkToNg, s.NgToOk, s.Undecided, s.Skipped);
        }

        var report = new ShadowReport(now, summaries);
        await mqtt.PublishAsync(mqtt.Topics.Shadow, JsonSerializer.SerializeToUtf8Bytes(report, ShadowJsonContext.Default.ShadowReport), retain: true, cancellationToken).ConfigureAwait(false);
    }

    // The journal's own tallies (one small record) and queue count; a journal that cannot be read now leaves them out
    // of this beat rather than the beat out of the line's monitoring.
    private (IReadOnlyList<KpiDay> Kpis, HeartbeatReviewQueue? Queue) Today(DateTimeOffset now)
    {
        try
        {
            var day = KpiDays.Of(now, KpiCalendar.Utc);
            var (review, spotChecks) = log.QueueLength();
            return (log.Kpis(KpiCalendar.Utc, day, day), new HeartbeatReviewQueue(review, spotChecks));
        }
        catch (JournalUnavailableException e)
        {
            Log.KpisUnreadable(logger, e.Message);
            return ([], null);
        }
    }

    private int Queue(string name) => (int)metrics.Gauge(AgentMetrics.QueueDepth, t => t["queue"] == name);

    private HeartbeatModel DefaultModel()
    {
        var (name, version, provider) = models.DefaultInService();
        return new HeartbeatModel(name, version, provider);
    }

    private static long DiskFree(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }
}
