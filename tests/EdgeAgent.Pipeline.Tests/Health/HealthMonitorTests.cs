using System.Diagnostics.Metrics;
using EdgeAgent.Drift;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Pipeline.Tests.Health;

/// <summary>The watchdog's judgement: a wedged stage must read as stalled, a merely slow broker must not.</summary>
public sealed class HealthMonitorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PipelineChannels _channels = new();
    private readonly OutboxGate _gate = new(100);
    private readonly VerdictLog _log;
    private readonly MqttConnection _mqtt;
    private readonly PipelineProgress _progress;
    private readonly HealthMonitor _monitor;
    private readonly DriftMonitor _drift;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly AgentMetrics _metrics;

    public HealthMonitorTests()
    {
        _log = VerdictLog.Open(Path.Combine(_temp.Path, "edgeagent.db"));
        _mqtt = new(Options.Create(new MqttOptions()), new BoxSigner(Path.Combine(_temp.Path, "box-signing.key")), TimeProvider.System, NullLogger<MqttConnection>.Instance);
        _progress = new PipelineProgress(_time);
        _metrics = new AgentMetrics(_services.GetRequiredService<IMeterFactory>());
        _drift = new DriftMonitor(Options.Create(new DriftOptions { Window = 50 }), _log, new StationIdentity("t", "a", "l", "s"), new VerdictIdGenerator(_time), _metrics, NullLogger<DriftMonitor>.Instance);
        _drift.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _monitor = new HealthMonitor(Options.Create(new HealthOptions { StallTimeout = TimeSpan.FromSeconds(60) }), _channels, _progress, _gate, _log, _mqtt, _drift, _time);
    }

    [Fact]
    public void Evaluate_OnePairInInspectionPastStallTimeout_Stalled()
    {
        _progress.InspectionStarted();
        _time.Advance(TimeSpan.FromSeconds(61));

        var (state, problems) = _monitor.Evaluate();

        Assert.Equal("stalled", state);
        Assert.Contains("in inspection for 61 s", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_RescanRunningPastStallTimeout_Stalled()
    {
        _progress.ScanStarted();
        _time.Advance(TimeSpan.FromSeconds(61));

        var (state, problems) = _monitor.Evaluate();

        Assert.Equal("stalled", state);
        Assert.Contains("rescan of the AOI folders has run for 61 s", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LastRescanStoppedShort_StalledUntilOneFinishes()
    {
        _progress.ScanStarted();
        _progress.ScanFinished("/aoi: more than 1000 entries (Ingest:MaxScanEntries)");

        var (state, problems) = _monitor.Evaluate();
        _progress.ScanStarted();
        _progress.ScanFinished(null);

        Assert.Equal("stalled", state);
        Assert.Contains("Ingest:MaxScanEntries", Assert.Single(problems), StringComparison.Ordinal);
        Assert.NotEqual("stalled", _monitor.Evaluate().State);
    }

    [Fact]
    public void Evaluate_IdleForLong_NotStalled()
    {
        _time.Advance(TimeSpan.FromHours(3));

        var (state, _) = _monitor.Evaluate();

        Assert.NotEqual("stalled", state);
    }

    [Fact]
    public void Evaluate_BrokerAwayAndOutboxNearItsBound_DegradedWithReasons()
    {
        _gate.Report(85);

        var (state, problems) = _monitor.Evaluate();

        Assert.Equal("degraded", state);
        Assert.Contains(problems, p => p.Contains("outbox holds 85 of at most 100", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not connected", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_ProductDrifting_DegradedNamingProductAndSeries()
    {
        _drift.Observe(DriftingVerdicts.Stream(50, shiftAt: 50, gain: 1));
        Assert.DoesNotContain(_monitor.Evaluate().Problems, p => p.Contains("drifting", StringComparison.Ordinal));

        _drift.Observe(DriftingVerdicts.Stream(120, shiftAt: 0, gain: 1.3));

        var (state, problems) = _monitor.Evaluate();
        Assert.Equal("degraded", state);
        Assert.Contains(problems, p => p.StartsWith("product UBM drifting: brightness ", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_VerdictWaitingLongerThanMaxAge_Degraded()
    {
        var old = new VerdictIdGenerator(new FakeTimeProvider(_time.GetUtcNow().AddDays(-2))).Next();
        _log.Append([(new Verdict
        {
            Id = old, Seq = 0, PairId = "p", Product = "x", Image = new SourceFile("/i", null), Outcome = VerdictKind.Ok,
            TimingsMs = new Timings(0, 0, 0, 0, 0), Station = new StationIdentity("s", "a", "l", "t"), JudgedAt = _time.GetUtcNow(),
        }, "k")]);

        var (_, problems) = _monitor.Evaluate();

        Assert.Contains(problems, p => p.Contains($"verdict {old} has waited", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _mqtt.Dispose();
        _metrics.Dispose();
        _services.Dispose();
        _log.Dispose();
        _temp.Dispose();
    }
}
