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
/// "Agent = lab" for every kind besides STPM: the bundled model of each kind, run by the agent on the registered
/// golden pairs, gives the score (and class probabilities, regions) PyTorch computed, within 1e-3
/// (models/golden/&lt;kind&gt;.json, written by each kind's golden script).
/// </summary>
public sealed class KindsParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

    public static TheoryData<string> Kinds() => ["pairseg", "classifier", "density", "memseg"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Inspect_GoldenPairsWithoutAlignment_MatchPyTorchReference(string kind)
    {
        var file = Path.Combine(RepoPaths.Golden, kind + ".json");
        Assert.True(File.Exists(file), $"{file} is missing: the bundled {kind} model has no golden numbers");
        using var golden = JsonDocument.Parse(File.ReadAllText(file));
        var root = golden.RootElement;
        using var model = OnnxModel.Load(Path.Combine(RepoPaths.Golden, root.GetProperty("model").GetString()!), new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        Assert.Equal((root.GetProperty("model_sha256").GetString(), kind), (model.Info.Sha256, model.Info.Kind.ToString().ToLowerInvariant()));
        using var inspector = InspectorFixture.Create(model, new Dictionary<string, EdgeAgent.Pipeline.Prepare.ProductSettings>());
        double worst = 0;
        int pairs = 0;
        foreach (var pair in root.GetProperty("pairs").EnumerateArray())
        {
            var image = Path.Combine(RepoPaths.Golden, pair.GetProperty("image").GetString()!);
            var template = Path.Combine(RepoPaths.Golden, pair.GetProperty("template").GetString()!);
            var said = inspector.Inspect(InspectorFixture.Candidate(image, template), align: false).Models!.Single();

            double expected = pair.GetProperty("score").GetDouble();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pair.GetProperty("id").GetString()}: agent {said.Score:F6} reference {expected:F6} Δ {said.Score - expected:E2}"));
            Assert.NotNull(said.Score);
            Assert.InRange(said.Score!.Value - expected, -Tolerance, Tolerance);
            Assert.Equal(pair.GetProperty("verdict").GetString(), said.Outcome == VerdictKind.Ng ? "NG" : "OK");
            if (pair.TryGetProperty("class_probs", out var probs))
            {
                var byName = model.Info.Classes.Zip(probs.EnumerateArray().Select(p => p.GetDouble())).ToDictionary(c => c.First, c => c.Second);
                foreach (var top in said.Classes!)
                {
                    Assert.InRange(top.P - byName[top.Name], -Tolerance, Tolerance);
                }
            }

            if (pair.TryGetProperty("regions", out var regions))
            {
                Assert.Equal(regions.GetArrayLength(), said.Regions!.Count);
            }

            worst = Math.Max(worst, Math.Abs(said.Score.Value - expected));
            pairs++;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: {pairs} pairs, worst |Δ| {worst:E2}"));
        Assert.True(pairs >= 4, "too few golden pairs to mean anything");
    }
}
