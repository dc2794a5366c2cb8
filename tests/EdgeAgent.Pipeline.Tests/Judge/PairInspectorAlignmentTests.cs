using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;
using EdgeAgent.Vision.Tests.Align;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>What the verdict says about alignment: the residual it measured, and REVIEW when it cannot vouch for it.</summary>
public sealed class PairInspectorAlignmentTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Inspect_GoodPair_VerdictCarriesTheResidualAndNoAmbiguity()
    {
        using var pair = new AoiPairGenerator(seed: 71).Next(false, 7.5, -4.1, 0.4, "BGA");

        var verdict = fixture.Inspector.Inspect(Write("good", pair.Image, pair.Template));

        // A ball array is a family the bundled model never saw, so the pair is REVIEW OUT_OF_DISTRIBUTION; never for its alignment.
        Assert.NotEqual(ReasonCode.AlignmentUntrusted, verdict.Reason);
        Assert.InRange(verdict.Alignment!.ResidualPx!.Value, 0, 0.5);
        Assert.False(verdict.Alignment.Ambiguous);
    }

    [Fact]
    public void Inspect_AmbiguousPeriodicPair_ReviewAlignmentUntrustedSayingWhy()
    {
        var (image, template) = ArrangedPairs.FeaturelessArray("BGA", 64, 31, 3);
        using var imageLease = image;
        using var templateLease = template;

        var verdict = fixture.Inspector.Inspect(Write("ambiguous", image, template));

        Assert.Equal((VerdictKind.Review, ReasonCode.AlignmentUntrusted), (verdict.Outcome, verdict.Reason));
        Assert.StartsWith("ambiguous: placements", verdict.Detail, StringComparison.Ordinal);
        Assert.True(verdict.Alignment!.Ambiguous);
    }

    [Fact]
    public void Inspect_ResidualAboveTheBound_ReviewAlignmentUntrusted()
    {
        using var pair = new AoiPairGenerator(seed: 72).Next(false, 2, -3, 0.1, "UBM");
        using var magnified = ArrangedPairs.Magnified(pair.Image, 1.03);

        var verdict = fixture.Inspector.Inspect(Write("magnified", magnified, pair.Template));

        Assert.Equal((VerdictKind.Review, ReasonCode.AlignmentUntrusted), (verdict.Outcome, verdict.Reason));
        Assert.StartsWith("residual misregistration", verdict.Detail, StringComparison.Ordinal);
        Assert.True(verdict.Alignment!.ResidualPx > 3);
    }

    public void Dispose() => _temp.Dispose();

    private EdgeAgent.Ingest.PairCandidate Write(string id, Mat image, Mat template)
    {
        var imagePath = Path.Combine(_temp.Path, $"{id}_image.png");
        var templatePath = Path.Combine(_temp.Path, $"{id}_template.png");
        Cv2.ImWrite(imagePath, image);
        Cv2.ImWrite(templatePath, template);
        return InspectorFixture.Candidate(imagePath, templatePath);
    }
}
