using System.Globalization;
using System.Text.Json;
using EdgeAgent.Inference.Session;
using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>
/// The score contract: the agent's score for a pair must equal the lab's PyTorch reference
/// (models/golden/*.json, written by models/golden/make_golden.py straight from the score definition)
/// within 1e-3, through the agent's own decode → crop → ONNX → score path.
/// </summary>
public sealed class GoldenParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

    public static TheoryData<string> GoldenFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Golden, "golden*.json").Order())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void Inspect_GoldenPairsWithoutAlignment_MatchPyTorchReference(string goldenFile)
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, goldenFile)));
        var root = golden.RootElement;
        var modelPath = Path.Combine(RepoPaths.Golden, root.GetProperty("model").GetString()!);
        using var model = OnnxModel.Load(modelPath, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        Assert.Equal(root.GetProperty("model_sha256").GetString(), model.Info.Sha256);
        using var inspector = InspectorFixture.Create(model, new Dictionary<string, EdgeAgent.Pipeline.Prepare.ProductSettings>());
        double worst = 0;
        int pairs = 0;

        foreach (var pair in root.GetProperty("pairs").EnumerateArray())
        {
            var image = Path.Combine(RepoPaths.Golden, pair.GetProperty("image").GetString()!);
            var template = Path.Combine(RepoPaths.Golden, pair.GetProperty("template").GetString()!);
            var verdict = inspector.Inspect(InspectorFixture.Candidate(image, template), align: false);

            double expected = pair.GetProperty("score").GetDouble();
            var expectedLayers = pair.GetProperty("layer_max").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pair.GetProperty("id").GetString()}: agent {verdict.Score:F6} reference {expected:F6} Δ {verdict.Score - expected:E2}"));
            Assert.NotNull(verdict.Score);
            Assert.InRange(verdict.Score!.Value - expected, -Tolerance, Tolerance);
            for (int l = 0; l < 3; l++)
            {
                Assert.InRange(verdict.Layers![l] - expectedLayers[l], -Tolerance, Tolerance);
                worst = Math.Max(worst, Math.Abs(verdict.Layers[l] - expectedLayers[l]));
            }

            Assert.Equal(pair.GetProperty("verdict").GetString(), verdict.Outcome == VerdictKind.Ng ? "NG" : "OK");
            worst = Math.Max(worst, Math.Abs(verdict.Score.Value - expected));
            pairs++;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{goldenFile}: {pairs} pairs, worst |Δ| {worst:E2}"));
        Assert.True(pairs >= 4, "too few golden pairs to mean anything");
    }
}
