using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Telemetry;

public sealed class AgentMetricsTests : IDisposable
{
    private readonly TestMeterFactory _factory = new();
    private readonly AgentMetrics _metrics;
    private readonly MetricsReader _reader;

    public AgentMetricsTests()
    {
        _metrics = new AgentMetrics(_factory);
        _reader = new MetricsReader(_metrics);
    }

    [Fact]
    public void PairJudged_ThreeVerdicts_CountedByVerdictReasonAndProduct()
    {
        _metrics.PairJudged(VerdictKind.Ok, null, "P1");
        _metrics.PairJudged(VerdictKind.Ok, null, "P1");
        _metrics.PairJudged(VerdictKind.Error, ReasonCode.Truncated, "P2");

        var series = _reader.All(AgentMetrics.Pairs).ToDictionary(s => (s.Tags["verdict"], s.Tags["reason"], s.Tags["product"]), s => s.Sum);

        Assert.Equal(2, series[("OK", "none", "P1")]);
        Assert.Equal(1, series[("ERROR", ReasonCode.Truncated, "P2")]);
        Assert.Equal(3, _reader.Sum(AgentMetrics.Pairs));
    }

    [Fact]
    public void StageTime_TwoDecodes_CountAndSumInSecondsPerStage()
    {
        _metrics.StageTime(AgentMetrics.Stage.Decode, TimeSpan.FromMilliseconds(10));
        _metrics.StageTime(AgentMetrics.Stage.Decode, TimeSpan.FromMilliseconds(30));
        _metrics.StageTime(AgentMetrics.Stage.Journal, TimeSpan.FromMilliseconds(2));

        Assert.Equal(2, _reader.Count(AgentMetrics.StageDuration, t => t["stage"] == "decode"));
        Assert.Equal(0.040, _reader.Sum(AgentMetrics.StageDuration, t => t["stage"] == "decode"), 9);
        Assert.Equal(1, _reader.Count(AgentMetrics.StageDuration, t => t["stage"] == "journal"));
    }

    [Fact]
    public void ModelRun_OneBatch_CountedByModelAndProviderAndTimedAsModelRunStage()
    {
        _metrics.ModelRun("stpm", "CPU", TimeSpan.FromMilliseconds(25));

        var run = Assert.Single(_reader.All(AgentMetrics.ModelRuns));
        Assert.Equal(("stpm", "CPU", 1.0), (run.Tags["model"], run.Tags["provider"], run.Sum));
        Assert.Equal(0.025, _reader.Sum(AgentMetrics.StageDuration, t => t["stage"] == "model_run"), 9);
    }

    [Fact]
    public void Gauge_ObservedQueuesAndOutbox_ReadAsTheyAreNow()
    {
        var depth = 3;
        _metrics.ObserveQueue("candidates", () => depth);
        _metrics.ObserveQueue("judged", () => 1);
        _metrics.ObserveOutbox(() => 17);

        Assert.Equal(3, _reader.Gauge(AgentMetrics.QueueDepth, t => t["queue"] == "candidates"));
        depth = 5;
        Assert.Equal(5, _reader.Gauge(AgentMetrics.QueueDepth, t => t["queue"] == "candidates"));
        Assert.Equal(1, _reader.Gauge(AgentMetrics.QueueDepth, t => t["queue"] == "judged"));
        Assert.Equal(17, _reader.Gauge(AgentMetrics.OutboxBacklog));
    }

    [Fact]
    public void Reader_AnotherAgentsMeterWithTheSameName_NotSeen()
    {
        using var otherFactory = new TestMeterFactory();
        using var other = new AgentMetrics(otherFactory);

        other.PairJudged(VerdictKind.Ng, ReasonCode.ScoreAboveThreshold, "P1");

        Assert.Equal(AgentMetrics.MeterName, other.Meter.Name);
        Assert.Equal(0, _reader.Sum(AgentMetrics.Pairs));
    }

    public void Dispose()
    {
        _reader.Dispose();
        _metrics.Dispose();
        _factory.Dispose();
    }
}
