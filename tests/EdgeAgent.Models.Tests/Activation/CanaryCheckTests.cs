using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Activation;
using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeAgent.Models.Tests.Activation;

public sealed class CanaryCheckTests(InspectorFixture fixture, ITestOutputHelper output) : IClassFixture<InspectorFixture>, IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-canary-");

    private string Work => Path.Combine(_temp.Path, "work");

    [Fact]
    public void Run_BundledModelOnGoodPairs_PassesAndCatchesEveryPastedDefect()
    {
        var pairs = GoodPairs(6);

        var report = CanaryCheck.Run(fixture.Inspector, fixture.Model.Info.Crop, pairs, minDefectRecall: 1.0, Work);

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Summary);
        Assert.Equal((6, 6, 12, 12), (report.OkPairs, report.OkPassed, report.Defects, report.DefectsCaught));
        Assert.False(Directory.Exists(Work));
    }

    [Fact]
    public void Run_ModelThatCannotTellGoodFromBad_FailsWithItsNumbers()
    {
        // The contract-test model's threshold sits inside its OK score range (models/golden/golden_c320_r160.json).
        using var model = OnnxModel.Load(RepoPaths.SmallModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        using var inspector = InspectorFixture.Create(model, new Dictionary<string, EdgeAgent.Pipeline.Prepare.ProductSettings>());

        var report = CanaryCheck.Run(inspector, model.Info.Crop, GoodPairs(6, size: 352), minDefectRecall: 1.0, Work);

        output.WriteLine(report.Summary);
        Assert.False(report.Passed);
        Assert.Contains("OK pairs below threshold", report.Summary, StringComparison.Ordinal);
        Assert.NotEmpty(report.Failures);
    }

    [Fact]
    public void Run_NoPairs_Fails()
    {
        var report = CanaryCheck.Run(fixture.Inspector, fixture.Model.Info.Crop, [], 1.0, Work);

        Assert.False(report.Passed);
        Assert.Contains("no canary pairs", Assert.Single(report.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Find_PairsInProductSubFolders_TakeTheFolderAsProduct()
    {
        var pairs = GoodPairs(4);

        Assert.Equal(4, pairs.Count);
        Assert.All(pairs, p => Assert.Contains(p.Product, new[] { "UBM", "M1" }));
        Assert.All(pairs, p => Assert.True(File.Exists(p.TemplatePath)));
    }

    public void Dispose() => _temp.Dispose();

    private IReadOnlyList<CanaryPair> GoodPairs(int count, int size = 300)
    {
        var folder = _temp.Sub("good-" + size);
        SyntheticDataset.Write(folder, new SyntheticDatasetOptions { Count = count, NgFraction = 0, Seed = 77, Size = size });
        return CanaryCheck.Find("default", folder);
    }
}
