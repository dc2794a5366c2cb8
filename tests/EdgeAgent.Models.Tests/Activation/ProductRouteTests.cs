using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Models.Tests.Activation;

/// <summary>
/// Products naming several models, a combination policy and a shadow, read from the store at start: mixed kinds
/// route side by side, and a combination or shadow that cannot work is refused with its reason code while the
/// product keeps being judged by what it had without it.
/// </summary>
public sealed class ProductRouteTests : IDisposable
{
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-routes-");
    private readonly ModelStore _store;

    public ProductRouteTests()
    {
        _store = new ModelStore(_temp.Sub("models"), keepPrevious: 2);
        foreach (var (stem, name) in new[] { ("classifier_ok", "cls"), ("pairseg_blob", "seg"), ("density_high", "dens") })
        {
            _store.ImportLocal(RepoPaths.Tiny(stem), name, "1.0.0");
            _store.Activate(name, "1.0.0");
        }

        _store.ImportLocal(RepoPaths.Tiny("pairseg_clean"), "seg", "2.0.0"); // installed, not active: a shadow candidate
    }

    [Fact]
    public void Load_MixedKindsAndAGate_EachProductJudgedByItsModels()
    {
        using var active = Load(new()
        {
            ["UBM"] = new() { Models = ["cls", "seg"], Combine = "gate" },
            ["M1"] = new() { Model = "dens" },
        }, out var refusals);

        Assert.Empty(refusals);
        var ubm = Judge(active, "UBM");
        var m1 = Judge(active, "M1");
        Assert.Equal(("gate", VerdictKind.Ok, 2), (ubm.Combine, ubm.Outcome, ubm.Models!.Count));
        Assert.Equal(("dens", "density", VerdictKind.Ng), (m1.Model!.Name, m1.Models!.Single().Kind, m1.Outcome));
        // Configured nowhere and not among the bundled model's trained products (UBM, M1): no model judges it.
        Assert.Equal(RouteSource.None, active.RouteOf("other").Source);
        Assert.Null(active.Acquire("other"));
    }

    [Fact]
    public void Load_CombinationNamingAModelTheStoreLacks_IsRefusedAndTheProductKeepsItsSingleModel()
    {
        using var active = Load(new() { ["UBM"] = new() { Model = "dens", Models = ["dens", "never-pushed"] } }, out var refusals);

        var refusal = Assert.Single(refusals);
        Assert.Equal(("UBM", ModelBootstrap.ModelNotInStore), (refusal.Product, refusal.Reason));
        Assert.Equal(["dens"], active.RouteOf("UBM").Models);
    }

    [Fact]
    public void Load_GateWithoutAClassifier_IsRefusedAndTheProductFallsBackToTheDefaultModel()
    {
        using var active = Load(new() { ["UBM"] = new() { Models = ["seg", "dens"], Combine = "gate" } }, out var refusals);

        Assert.Equal(ModelBootstrap.GateWithoutClassifier, Assert.Single(refusals).Reason);
        Assert.Equal(Bundled, Judge(active, "UBM").Model!.Name);
    }

    [Fact]
    public void Load_ShadowOfAnInstalledVersion_JudgesBesideTheActiveOne()
    {
        using var active = Load(new() { ["UBM"] = new() { Model = "seg", Shadow = new() { Name = "seg", Version = "2.0.0" } } }, out var refusals);

        Assert.Empty(refusals);
        var verdict = Judge(active, "UBM");
        Assert.Equal(("1.0.0", VerdictKind.Ng), (verdict.Model!.Version, verdict.Outcome));
        Assert.Equal(("2.0.0", VerdictKind.Ok), (verdict.Shadow!.Version, verdict.Shadow.Outcome));
    }

    [Theory]
    [InlineData("seg", "9.9.9", "never-pushed", ModelBootstrap.ModelNotInStore)]
    [InlineData("seg", "2.0.0", "never-pushed-either", ModelBootstrap.ShadowWithoutActiveModel)]
    public void Load_ShadowThatCannotWork_IsRefusedAndTheVerdictsStayAsBefore(string shadow, string version, string model, string reason)
    {
        var routes = new Dictionary<string, ProductSettings> { ["UBM"] = new() { Model = reason == ModelBootstrap.ModelNotInStore ? "dens" : model, Shadow = new() { Name = shadow, Version = version } } };

        using var active = Load(routes, out var refusals);

        Assert.Equal(reason, Assert.Single(refusals).Reason);
        Assert.Null(active.RouteOf("UBM").Shadow);
    }

    public void Dispose() => _temp.Dispose();

    private ActiveModels Load(Dictionary<string, ProductSettings> products, out IReadOnlyList<RouteRefusal> refusals)
    {
        var factory = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), products, new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);
        var active = new ActiveModels(factory, failuresBeforeRollback: 3);
        refusals = ModelBootstrap.LoadInto(active, _store, RepoPaths.DefaultModel, Cpu, factory, NullLogger.Instance);
        return active;
    }

    private static Verdict Judge(ActiveModels active, string product)
    {
        var image = Directory.EnumerateFiles(Path.Combine(RepoPaths.Golden, "pairs"), "*_image.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var template = image.Replace("_image.png", "_template.png", StringComparison.Ordinal);
        using var lease = active.Acquire(product);
        Assert.NotNull(lease);
        return lease.Inspector.Inspect(new(image, "p", product, Path.GetDirectoryName(image)!, image, template, DateTimeOffset.UtcNow, new Dictionary<string, string>()), align: false);
    }
}
