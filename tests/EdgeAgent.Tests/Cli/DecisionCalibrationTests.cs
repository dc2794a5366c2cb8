using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent calibrate --decisions</c>: a threshold and band from operators' decisions in a real journal, as a real process.</summary>
[Trait("Category", "Integration")]
public sealed class DecisionCalibrationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void CalibrateDecisions_EnoughDecisions_ProposesAThresholdAboveEveryDecidedOkAndABandWithinTheEscapeTarget()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            // 40 pairs people decided OK (scores 0.10..0.49) and 20 decided NG (0.30..0.68): the AI said OK below 0.5.
            var decided = Enumerable.Range(0, 40).Select(i => (Score: 0.10 + (i * 0.01), Decision: VerdictKind.Ok))
                .Concat(Enumerable.Range(0, 20).Select(i => (Score: 0.30 + (i * 0.02), Decision: VerdictKind.Ng))).ToList();
            var stored = log.Append([.. decided.Select((d, i) => (Judged($"P{i:D3}", d.Score), $"key{i}"))]);
            foreach (var (verdict, d) in stored.Zip(decided))
            {
                Assert.Equal(DecisionStatus.Stored, log.RecordDecision(new DecisionRequest(verdict.Id, d.Decision, null, null, "ana", "operator", false), DateTimeOffset.UtcNow).Status);
            }
        }

        var config = Path.Combine(_temp.Path, "edgeagent.json");
        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--decisions", "--product", "UBM", "--data-dir", data,
            "--target-overkill", "0", "--target-escape", "0.05", "--write", config, "--json");

        Assert.True(code == 0, stderr);
        var record = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal((40, 20), (record.GetProperty("okCount").GetInt32(), record.GetProperty("ngCount").GetInt32()));
        Assert.True(record.GetProperty("threshold").GetDouble() > 0.49);
        var band = record.GetProperty("band");
        Assert.True(band.GetProperty("band").GetProperty("escapeRate").GetDouble() <= 0.05);
        Assert.True(band.GetProperty("ok").GetDouble() < band.GetProperty("ng").GetDouble());
        var written = JsonDocument.Parse(File.ReadAllText(config)).RootElement.GetProperty("Products").GetProperty("UBM");
        Assert.Equal(band.GetProperty("ok").GetDouble(), written.GetProperty("ThresholdOk").GetDouble());
    }

    [Fact]
    public void CalibrateDecisions_TooFewDecisions_ExitsOneSayingHowMany()
    {
        var data = _temp.Sub("data");
        using (var log = VerdictLog.Open(Path.Combine(data, "edgeagent.db")))
        {
            var stored = log.Append([(Judged("P1", 0.2), "k1")]);
            log.RecordDecision(new DecisionRequest(stored[0].Id, VerdictKind.Ok, null, null, "ana", "operator", false), DateTimeOffset.UtcNow);
        }

        var (code, _, stderr) = AgentProcess.Run("calibrate", "--decisions", "--product", "UBM", "--data-dir", data);

        Assert.Equal(1, code);
        Assert.Contains("not enough decisions", stderr, StringComparison.Ordinal);
        Assert.Contains("1 OK and 0 NG", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private static Verdict Judged(string pair, double score) => new()
    {
        Id = "V" + pair,
        Seq = 0,
        PairId = pair,
        Product = "UBM",
        Image = new SourceFile($"/aoi/UBM/{pair}_image.png", "aa"),
        Template = new SourceFile($"/aoi/UBM/{pair}_template.png", "bb"),
        Outcome = score >= 0.5 ? VerdictKind.Ng : VerdictKind.Ok,
        Reason = score >= 0.5 ? ReasonCode.ScoreAboveThreshold : null,
        Score = score,
        Threshold = 0.5,
        Model = new ModelRef("stpm-r18-synth", "1.1.0", "cc", "CPU"),
        TimingsMs = new Timings(1, 2, 3, 4, 10),
        Station = new StationIdentity("fab1", "wlp", "l3", "aoi2"),
        JudgedAt = DateTimeOffset.UtcNow,
    };
}
