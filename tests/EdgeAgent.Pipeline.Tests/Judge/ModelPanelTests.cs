using EdgeAgent.Inference.Session;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Score;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>
/// Several models on one pair, on the tiny constant-output models of models/golden/tiny (known answers) and the
/// registered golden pairs: each combination policy, the fail-safe rule, regions and classes, and the shadow.
/// </summary>
public sealed class ModelPanelTests : IDisposable
{
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly List<OnnxModel> _loaded = [];
    private readonly InspectorFactory _factory = InspectorFixture.Factory(new Dictionary<string, ProductSettings>(), maxBatch: 4);

    [Fact]
    public void Gate_ClassifierSaysOk_SuppressesTheSegmentersNg()
    {
        var verdict = Judge(new ModelPanel([Model("classifier_ok"), Model("pairseg_blob")], CombinePolicy.Gate));

        Assert.Equal(VerdictKind.Ok, verdict.Outcome);
        Assert.Equal("gate", verdict.Combine);
        Assert.Equal([VerdictKind.Ok, VerdictKind.Ng], verdict.Models!.Select(m => m.Outcome));
        Assert.True(verdict.Score < verdict.Threshold);
    }

    [Fact]
    public void Gate_ClassifierSaysNg_LetsTheSegmenterDecide()
    {
        var ng = Judge(new ModelPanel([Model("classifier_ng"), Model("pairseg_blob")], CombinePolicy.Gate));
        var ok = Judge(new ModelPanel([Model("classifier_ng"), Model("pairseg_clean")], CombinePolicy.Gate));

        Assert.Equal((VerdictKind.Ng, ReasonCode.ScoreAboveThreshold), (ng.Outcome, ng.Reason));
        Assert.Equal(0.9 / 0.5, ng.Score!.Value, 5);
        Assert.Equal(VerdictKind.Ok, ok.Outcome);
    }

    [Theory]
    [InlineData(CombinePolicy.AnyNg, VerdictKind.Ng)]
    [InlineData(CombinePolicy.AllNg, VerdictKind.Ok)]
    public void AnyNgAndAllNg_OneNgOneOk_DecideAsNamed(CombinePolicy policy, VerdictKind expected)
    {
        var verdict = Judge(new ModelPanel([Model("pairseg_clean"), Model("density_high")], policy));

        Assert.Equal(expected, verdict.Outcome);
        Assert.Equal(1.0, verdict.Threshold);
    }

    [Fact]
    public void Vote_TwoOfThreeSayNg_IsNg_OneOfThreeIsOk()
    {
        var two = Judge(new ModelPanel([Model("pairseg_clean"), Model("density_high"), Model("classifier_ng")], CombinePolicy.Vote));
        var one = Judge(new ModelPanel([Model("pairseg_clean"), Model("memseg_low"), Model("classifier_ng")], CombinePolicy.Vote));

        Assert.Equal(VerdictKind.Ng, two.Outcome);
        Assert.Equal(VerdictKind.Ok, one.Outcome);
    }

    [Theory]
    [InlineData(CombinePolicy.AnyNg)]
    [InlineData(CombinePolicy.AllNg)]
    [InlineData(CombinePolicy.Vote)]
    public void AnyPolicy_AModelWhoseOutputIsNotANumber_MakesThePairReviewNeverOk(CombinePolicy policy)
    {
        var verdict = Judge(new ModelPanel([Model("pairseg_clean"), Model("classifier_nan")], policy));

        Assert.Equal((VerdictKind.Review, ReasonCode.InferenceFailed), (verdict.Outcome, verdict.Reason));
        Assert.Contains("tiny-classifier-nan", verdict.Detail, StringComparison.Ordinal);
        Assert.Equal(VerdictKind.Review, verdict.Models![1].Outcome);
    }

    [Fact]
    public void Pairseg_ListsRegionsAboveTheMinimumAreaInTemplateAndImageCoordinates()
    {
        var seg = Judge(new ModelPanel([Model("pairseg_blob")])).Models!.Single();

        // The 10×10 square at map (20..29, 30..39) of a 64² map over the centred 256² crop of a 600² pair (window at 172):
        // 4 template pixels per map pixel. The 2×2 speck of p = 0.95 is below the minimum area: not a region, not the score.
        var region = Assert.Single(seg.Regions!);
        Assert.Equal(new Box(252, 292, 40, 40), region.Template);
        Assert.Equal(1600, region.Area);
        Assert.Equal(0.9, region.Max, 5);
        Assert.Equal(0.9, seg.Score!.Value, 5);
        Assert.Equal(region.Template.Width, region.Image.Width, 0);
    }

    [Fact]
    public void Classifier_TopClassesMostProbableFirst_ScoreIsTheDefectClassesSum()
    {
        var cls = Judge(new ModelPanel([Model("classifier_ng")])).Models!.Single();

        Assert.Equal(["particle", "scratch", "ok"], cls.Classes!.Select(c => c.Name));
        Assert.Equal(0.9, cls.Score!.Value, 5);
    }

    [Fact]
    public void OneModel_TopLevelScoreAndThresholdAreTheModelsOwn()
    {
        var verdict = Judge(new ModelPanel([Model("density_high")]));

        Assert.Equal((12.0, 10.0), (verdict.Score!.Value, verdict.Threshold!.Value));
        Assert.Null(verdict.Combine);
        Assert.Equal("density", verdict.Models!.Single().Kind);
    }

    [Fact]
    public void Shadow_JudgesBesideTheModelInServiceAndNeverChangesTheVerdict()
    {
        var panel = new ModelPanel([Model("pairseg_clean")], Shadow: Model("pairseg_blob"));
        var tally = new ShadowTally();

        var verdict = Judge(panel);
        tally.Record(verdict);
        var skipped = Judge(panel, withShadow: false);

        Assert.Equal(VerdictKind.Ok, verdict.Outcome);
        Assert.Equal((VerdictKind.Ng, "tiny-pairseg-blob"), (verdict.Shadow!.Outcome, verdict.Shadow.Name));
        Assert.Null(skipped.Shadow);
        Assert.Equal(VerdictKind.Ok, skipped.Outcome);
        var summary = Assert.Single(tally.Summaries());
        Assert.Equal((0L, 1L, 0L), (summary.Agree, summary.OkToNg, summary.NgToOk));
    }

    [Fact]
    public void Batch_EveryModelRunsOnceOverTheBatch_VerdictsMatchPairsJudgedAlone()
    {
        var panel = new ModelPanel([Model("classifier_ng"), Model("pairseg_blob")], CombinePolicy.Gate);
        using var inspector = _factory.Create(panel);
        var candidates = GoldenCandidates().Take(inspector.MaxBatch).ToList();
        var prepared = candidates.Select(c => inspector.Prepare(c, align: false)).ToList();

        var together = inspector.Judge(prepared);
        var alone = candidates.Select(c => inspector.Inspect(c, align: false)).ToList();

        Assert.Equal(alone.Select(v => (v.Outcome, v.Score)), together.Select(v => (v.Outcome, v.Score)));
        prepared.ForEach(p => p.Dispose());
    }

    [Fact]
    public void OutOfDistribution_ModelSaysThePairIsBeyondItsBound_ReviewWithTheDistancesNeverOk()
    {
        var verdict = Judge(new ModelPanel([Model("pairseg_far")]));

        Assert.Equal((VerdictKind.Review, ReasonCode.OutOfDistribution), (verdict.Outcome, verdict.Reason));
        Assert.Equal(new OodReading(5, 1.5, 3, Beyond: true), verdict.Ood);
        Assert.Equal(verdict.Ood, verdict.Models!.Single().Ood);
        Assert.NotNull(verdict.Score); // judged all the same: the operator sees what the model said
        Assert.Contains("beyond its bound 3.00", verdict.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OodPolicy.Review, 6.0, VerdictKind.Ok, false)]
    [InlineData(OodPolicy.Flag, null, VerdictKind.Ok, true)]
    public void OutOfDistribution_ProductBoundOrFlagPolicy_DecidesWhatTheDistanceDoes(OodPolicy policy, double? bound, VerdictKind expected, bool beyond)
    {
        var factory = InspectorFixture.Factory(new Dictionary<string, ProductSettings> { ["default"] = new() { OutOfDistribution = policy, OodBound = bound } });

        var verdict = Judge(new ModelPanel([Model("pairseg_far")]), factory: factory);

        Assert.Equal((expected, beyond, bound ?? 3), (verdict.Outcome, verdict.Ood!.Beyond, verdict.Ood.Bound!.Value));
    }

    public void Dispose()
    {
        _loaded.ForEach(m => m.Dispose());
    }

    private Verdict Judge(ModelPanel panel, bool withShadow = true, InspectorFactory? factory = null)
    {
        using var inspector = (factory ?? _factory).Create(panel);
        using var prepared = inspector.Prepare(GoldenCandidates().First(), align: false);
        return inspector.Judge([prepared], withShadow)[0];
    }

    private LoadedModel Model(string stem)
    {
        var model = OnnxModel.Load(RepoPaths.Tiny(stem), Cpu, NullLogger.Instance);
        _loaded.Add(model);
        return _factory.Wrap(model, model.Info.Name, model.Info.Version, model.Info.Sha256);
    }

    private static IEnumerable<EdgeAgent.Ingest.PairCandidate> GoldenCandidates() =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Golden, "pairs"), "*_image.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(image => InspectorFixture.Candidate(image, image.Replace("_image.png", "_template.png", StringComparison.Ordinal)));
}
