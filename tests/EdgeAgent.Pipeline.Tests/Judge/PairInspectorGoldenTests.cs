using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>
/// Products whose template source is a golden image: the suspect's area is found in the product's golden
/// (template matching, then the usual fine alignment) and judged as if its paired template had come with it.
/// The golden here is the templates of three generated pairs side by side; the suspects are the central
/// 280 px of their images (an AOI cuts suspects from inside the die, clear of the borders a shifted capture adds).
/// </summary>
public sealed class PairInspectorGoldenTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private const string Product = "G";
    private readonly TempFolder _temp = new("edgeagent-golden-");

    [Fact]
    public void Inspect_ImageWithoutTemplateOfAGoldenProduct_JudgedLikeItsPairedTemplate()
    {
        var (pairs, golden) = Setup();
        using var goldens = new GoldenTemplates(new Dictionary<string, ProductSettings> { [Product] = new() { GoldenImage = golden } }, new DecodeLimits());
        using var inspector = InspectorFixture.Create(fixture.Model, new Dictionary<string, ProductSettings>(), goldens: goldens);

        foreach (var truth in pairs)
        {
            var (image, template) = Suspect(truth);
            var paired = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, template, Product));

            var fromGolden = inspector.Inspect(InspectorFixture.Candidate(image, null, Product));

            Assert.True(fromGolden.Outcome == paired.Outcome, $"{truth.Id}: golden {fromGolden.Outcome} {fromGolden.Reason} {fromGolden.Detail} {fromGolden.Score}, paired {paired.Outcome} {paired.Score}");
            Assert.Equal(golden, fromGolden.Template?.Path);
            Assert.InRange(Math.Abs(fromGolden.Score!.Value - paired.Score!.Value), 0, 0.1);
        }
    }

    [Fact]
    public void Inspect_ImageFromElsewhere_ReviewGoldenNotLocatedNeverOk()
    {
        var (pairs, golden) = Setup();
        using var goldens = new GoldenTemplates(new Dictionary<string, ProductSettings> { [Product] = new() { GoldenImage = golden } }, new DecodeLimits());
        using var inspector = InspectorFixture.Create(fixture.Model, new Dictionary<string, ProductSettings>(), goldens: goldens);
        using var flat = new Mat(352, 352, MatType.CV_8UC3, Scalar.All(128));
        var stranger = Path.Combine(_temp.Path, "flat_image.png");
        Cv2.ImWrite(stranger, flat);

        var verdict = inspector.Inspect(InspectorFixture.Candidate(stranger, null, Product));

        Assert.Equal((VerdictKind.Review, ReasonCode.GoldenNotLocated), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void GoldenTemplates_GoldenFileMissing_StopsTheStartNamingTheProduct()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            new GoldenTemplates(new Dictionary<string, ProductSettings> { [Product] = new() { GoldenImage = Path.Combine(_temp.Path, "nope.png") } }, new DecodeLimits()));

        Assert.Contains("Products:G:GoldenImage", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The central 280 px of a pair's image and template, written as a pair of their own.</summary>
    private (string Image, string Template) Suspect(SyntheticPairTruth truth)
    {
        const int Side = 280;
        var paths = (Image: Path.Combine(_temp.Sub("suspects"), truth.Id + "_image.png"), Template: Path.Combine(_temp.Sub("suspects"), truth.Id + "_template.png"));
        foreach (var (from, to, mode) in new[] { (truth.ImagePath, paths.Image, ImreadModes.Color), (truth.TemplatePath, paths.Template, ImreadModes.Grayscale) })
        {
            using var full = Cv2.ImRead(Path.Combine(_temp.Path, from), mode);
            var margin = (full.Width - Side) / 2;
            using var crop = new Mat(full, new Rect(margin, margin, Side, Side));
            Cv2.ImWrite(to, crop);
        }

        return paths;
    }

    private (IReadOnlyList<SyntheticPairTruth> Pairs, string Golden) Setup()
    {
        var pairs = SyntheticDataset.Write(_temp.Path, new SyntheticDatasetOptions { Count = 3, NgFraction = 0.34, Seed = 77, Size = 352, Products = [Product] });
        var templates = pairs.Select(p => Cv2.ImRead(Path.Combine(_temp.Path, p.TemplatePath), ImreadModes.Grayscale)).ToArray();
        using var strip = new Mat();
        Cv2.HConcat(templates, strip);
        foreach (var template in templates)
        {
            template.Dispose();
        }

        var golden = Path.Combine(_temp.Path, "golden-G.png");
        Cv2.ImWrite(golden, strip);
        return (pairs, golden);
    }
}
