using System.Text.Json;
using EdgeAgent.Host.Cli;
using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Cli;

/// <summary><c>edgeagent calibrate</c> as a technician runs it: generated OK and NG folders, a real model, a real config file.</summary>
[Trait("Category", "Integration")]
public sealed class CalibrateVerbTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Calibrate_WriteToConfig_SetsTheProductThresholdAndKeepsEveryOtherSetting()
    {
        // 352 px pairs for the small contract model (crop 320): a few seconds for 40 pairs.
        var ok = _temp.Sub("ok");
        var ng = _temp.Sub("ng");
        SyntheticDataset.Write(ok, new() { Count = 30, NgFraction = 0, Size = 352, Seed = 3 });
        SyntheticDataset.Write(ng, new() { Count = 10, NgFraction = 1, Size = 352, Seed = 4 });
        // Lower-case "products": configuration keys are case-insensitive, so this is the section to update.
        var config = Path.Combine(_temp.Path, "edgeagent.json");
        File.WriteAllText(config, """{"Mqtt":{"Port":1884,"Station":"aoi-7"},"products":{"UBM":{"Mask":"none","Threshold":0.5},"M1":{"Threshold":0.25}}}""");

        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--ok", ok, "--ng", ng, "--model", RepoPaths.SmallModel,
            "--product", "UBM", "--target-overkill", "0.05", "--config", config, "--write", config, "--json");

        Assert.True(code == 0, stderr);
        using var result = JsonDocument.Parse(stdout);
        var calibration = result.RootElement;
        Assert.Equal(30, calibration.GetProperty("okCount").GetInt32());
        Assert.Equal(10, calibration.GetProperty("ngCount").GetInt32());
        Assert.InRange(calibration.GetProperty("overkillCount").GetInt32(), 0, 1); // ⌊0.05 · 30⌋
        Assert.Equal(10, calibration.GetProperty("escapes").GetInt32() + (int)Math.Round(calibration.GetProperty("recall").GetDouble() * 10));
        var threshold = calibration.GetProperty("threshold").GetDouble();
        Assert.Contains($"Products:UBM:Threshold 0.5 -> {threshold:R}", stderr, StringComparison.Ordinal);

        using var written = JsonDocument.Parse(File.ReadAllText(config));
        var root = written.RootElement;
        var products = Assert.Single(root.EnumerateObject(), p => p.Name.Equals("products", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Equal(threshold, products.GetProperty("UBM").GetProperty("Threshold").GetDouble());
        Assert.Equal("none", products.GetProperty("UBM").GetProperty("Mask").GetString());
        Assert.Equal(0.25, products.GetProperty("M1").GetProperty("Threshold").GetDouble());
        Assert.Equal(1884, root.GetProperty("Mqtt").GetProperty("Port").GetInt32());
        Assert.Equal("aoi-7", root.GetProperty("Mqtt").GetProperty("Station").GetString());
        Assert.Single(Directory.GetFiles(_temp.Path)); // no temp file left beside it
    }

    [Fact]
    public void Calibrate_WriteToMissingFile_CreatesTheSections()
    {
        var ok = _temp.Sub("ok");
        SyntheticDataset.Write(ok, new() { Count = 4, NgFraction = 0, Size = 352, Seed = 9 });
        var config = Path.Combine(_temp.Path, "new.json");

        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--ok", ok, "--model", RepoPaths.SmallModel,
            "--product", "P7", "--write", config);

        Assert.True(code == 0, stderr);
        Assert.Contains("too few OK pairs to show an overkill of 0.1%", stdout, StringComparison.Ordinal);
        Assert.Contains("<- threshold", stdout, StringComparison.Ordinal);
        Assert.Contains("Products:P7:Threshold (unset) -> ", stdout, StringComparison.Ordinal);
        using var written = JsonDocument.Parse(File.ReadAllText(config));
        Assert.True(written.RootElement.GetProperty("Products").GetProperty("P7").GetProperty("Threshold").GetDouble() > 0);
    }

    [Fact]
    public void Calibrate_UnscorablePairs_AreListedAndLeftOutOfTheStatistics()
    {
        var ok = _temp.Sub("ok");
        SyntheticDataset.Write(ok, new() { Count = 3, NgFraction = 0, Size = 352, Seed = 2 });
        File.WriteAllBytes(Path.Combine(ok, "LONE_image.png"), [0x89, 0x50, 0x4E, 0x47]); // no template, and truncated

        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--ok", ok, "--model", RepoPaths.SmallModel, "--json");

        Assert.True(code == 0, stderr);
        Assert.Equal(3, JsonDocument.Parse(stdout).RootElement.GetProperty("okCount").GetInt32());
        Assert.Contains("excluded  ERROR", stderr, StringComparison.Ordinal);
        Assert.Contains("LONE_image.png", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibrate_TargetEscape_ProposesABandWithinTheTargetAndTheJudgeSendsScoresBetweenToReviewUncertain()
    {
        var ok = _temp.Sub("ok");
        var ng = _temp.Sub("ng");
        var okPairs = SyntheticDataset.Write(ok, new() { Count = 30, NgFraction = 0, Size = 352, Seed = 5 });
        var ngPairs = SyntheticDataset.Write(ng, new() { Count = 20, NgFraction = 1, Size = 352, Seed = 6 });
        var config = Path.Combine(_temp.Path, "edgeagent.json");
        File.WriteAllText(config, """{"Products":{"UBM":{"Mask":"none"}}}""");

        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--ok", ok, "--ng", ng, "--model", RepoPaths.SmallModel,
            "--product", "UBM", "--target-overkill", "0.05", "--target-escape", "0.05", "--config", config, "--write", config, "--json");

        Assert.True(code == 0, stderr);
        var band = JsonDocument.Parse(stdout).RootElement.GetProperty("band");
        var (low, high) = (band.GetProperty("ok").GetDouble(), band.GetProperty("ng").GetDouble());
        Assert.True(low <= high);
        Assert.True(band.GetProperty("band").GetProperty("escapeRate").GetDouble() <= 0.05);
        Assert.True(band.GetProperty("band").GetProperty("escapes").GetInt32() <= band.GetProperty("single").GetProperty("escapes").GetInt32());
        Assert.Contains($"Products:UBM:ThresholdOk (unset) -> {low:R}", stderr, StringComparison.Ordinal);
        var written = JsonDocument.Parse(File.ReadAllText(config)).RootElement.GetProperty("Products").GetProperty("UBM");
        Assert.Equal((low, high), (written.GetProperty("ThresholdOk").GetDouble(), written.GetProperty("Threshold").GetDouble()));

        // The band as the service applies it: the same pairs through the real inspector with the written settings.
        var settings = new ProductSettings { Mask = "none", Threshold = high, ThresholdOk = low };
        settings.CheckBand();
        using var model = OnnxModel.Load(RepoPaths.SmallModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        using var inspector = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), new Dictionary<string, ProductSettings> { ["UBM"] = settings },
            new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System).Create(model);
        var verdicts = okPairs.Select(p => (Folder: ok, Pair: p)).Concat(ngPairs.Select(p => (Folder: ng, Pair: p)))
            .Select(x => inspector.Inspect(new PairCandidate(Path.Combine(x.Folder, x.Pair.ImagePath), x.Pair.Id, "UBM", x.Folder,
                Path.Combine(x.Folder, x.Pair.ImagePath), Path.Combine(x.Folder, x.Pair.TemplatePath), DateTimeOffset.UtcNow, new Dictionary<string, string>())))
            .Where(v => v.Score is not null && v.Reason is not (ReasonCode.AlignmentUntrusted or ReasonCode.OutOfDistribution))
            .ToList();
        Assert.All(verdicts, v =>
        {
            Assert.Equal(new ScoreBand(low, high), v.Band);
            var expected = v.Score < low ? (VerdictKind.Ok, null) : v.Score >= high ? (VerdictKind.Ng, ReasonCode.ScoreAboveThreshold) : (VerdictKind.Review, ReasonCode.Uncertain);
            Assert.Equal(expected, (v.Outcome, v.Reason));
        });
        Assert.Contains(verdicts, v => v.Reason == ReasonCode.Uncertain);
    }

    [Fact]
    public void Calibrate_TargetEscapeWithoutNg_ExitsWithUsageError()
    {
        var (code, _, stderr) = AgentProcess.Run("calibrate", "--ok", _temp.Path, "--target-escape", "0.005");

        Assert.Equal(Verbs.UsageError, code);
        Assert.Contains("--target-escape", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibrate_TargetOverkillOutOfRange_ExitsWithUsageError()
    {
        var (code, _, stderr) = AgentProcess.Run("calibrate", "--ok", _temp.Path, "--target-overkill", "1.5");

        Assert.Equal(Verbs.UsageError, code);
        Assert.Contains("--target-overkill", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
