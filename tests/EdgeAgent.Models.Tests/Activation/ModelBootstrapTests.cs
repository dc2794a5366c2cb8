using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Models.Tests.Activation;

public sealed class ModelBootstrapTests : IDisposable
{
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-bootstrap-");
    private readonly ModelStore _store;
    private readonly IReadOnlyList<SyntheticPairTruth> _pairs;
    private readonly VerdictLog _log;

    public ModelBootstrapTests()
    {
        _store = new ModelStore(_temp.Sub("models"), keepPrevious: 2);
        _log = VerdictLog.Open(Path.Combine(_temp.Path, "edgeagent.db"));
        _pairs = SyntheticDataset.Write(_temp.Sub("pairs"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 9, Size = 352, Products = ["UBM", "M1"] });
    }

    [Fact]
    public void Load_FreshStore_SeedsTheBundledModelAndJudgesWithIt()
    {
        using var active = Load(new Dictionary<string, ProductSettings>());

        var stored = _store.Active(Bundled);
        Assert.NotNull(stored);
        Assert.Equal(ModelStore.LocalKeyId, stored.KeyId);
        Assert.Equal((Bundled, stored.Version), VersionJudging(active, "UBM"));
    }

    [Fact]
    public void Load_StoreHoldsANewerActiveVersion_ThatVersionJudgesAfterARestart()
    {
        using (Load(new Dictionary<string, ProductSettings>()))
        {
        }

        _store.ImportLocal(RepoPaths.DefaultModel, Bundled, "1.2.0");
        _store.Activate(Bundled, "1.2.0");
        using var active = Load(new Dictionary<string, ProductSettings>());

        Assert.Equal((Bundled, "1.2.0"), VersionJudging(active, "UBM"));
    }

    [Fact]
    public void Load_TwoProductsRoutedToTwoModels_EachJudgedByItsOwn()
    {
        _store.ImportLocal(RepoPaths.SmallModel, "stpm-small", "2.0.0");
        _store.Activate("stpm-small", "2.0.0");

        using var active = Load(new Dictionary<string, ProductSettings> { ["M1"] = new() { Model = "stpm-small" } });

        Assert.Equal(("stpm-small", "2.0.0"), VersionJudging(active, "M1"));
        Assert.Equal(Bundled, VersionJudging(active, "UBM").Name);
    }

    [Fact]
    public void Load_ProductRoutedToAModelNotInTheStore_GetsNoModel()
    {
        using var active = Load(new Dictionary<string, ProductSettings> { ["M1"] = new() { Model = "never-pushed" } });

        Assert.Null(active.Acquire("M1"));
        Assert.NotNull(active.Acquire("UBM"));
    }

    [Fact]
    public void Load_ActiveVersionChangedOnDisk_RefusedByItsHashAndThePreviousVersionJudges()
    {
        _store.ImportLocal(RepoPaths.SmallModel, "stpm-small", "2.0.0");
        _store.Activate("stpm-small", "2.0.0");
        _store.ImportLocal(RepoPaths.SmallModel, "stpm-small", "2.1.0");
        _store.Activate("stpm-small", "2.1.0");
        var tampered = _store.Active("stpm-small")!;
        File.Copy(RepoPaths.DefaultModel, tampered.ModelPath, overwrite: true); // a valid model, but not the one installed

        var refused = Assert.Throws<EdgeAgent.Inference.Model.ModelContractException>(() => ModelBootstrap.Load(tampered, Cpu, Factory([]), NullLogger.Instance));
        using var active = Load(new Dictionary<string, ProductSettings> { ["M1"] = new() { Model = "stpm-small" } });

        Assert.Equal(ModelBootstrap.ModelHashMismatch, refused.Reason);
        Assert.Contains(tampered.Sha256, refused.Message, StringComparison.Ordinal);
        Assert.Equal(("stpm-small", "2.0.0"), VersionJudging(active, "M1"));
    }

    [Fact]
    public void RollBack_AfterANewVersion_RestoresThePreviousOneItsLabelAndAudits()
    {
        var products = new Dictionary<string, ProductSettings>();
        using var active = Load(products);
        var first = _store.Active(Bundled)!.Version;
        _store.ImportLocal(RepoPaths.DefaultModel, Bundled, "1.2.0");
        _store.Activate(Bundled, "1.2.0");
        var rollback = new ModelRollback(_store, active, Cpu, Factory(products), _log, TimeProvider.System, NullLogger.Instance);

        var restored = rollback.RollBack(Bundled, "technician", "test");

        Assert.Equal(first, restored?.Version);
        Assert.Equal(first, _store.Active(Bundled)?.Version);
        Assert.Equal((Bundled, first), VersionJudging(active, "UBM"));
        var audit = _log.AuditTrail(1)[0];
        Assert.Equal(("rolled-back", "technician", first), (audit.Action, audit.Actor, audit.Version));
        Assert.StartsWith("from 1.2.0", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepsFailing_ThreeInferenceFailuresInARow_RollsBackAutomatically()
    {
        var products = new Dictionary<string, ProductSettings>();
        _store.ImportLocal(RepoPaths.DefaultModel, Bundled, "0.9.0");
        _store.Activate(Bundled, "0.9.0");
        _store.ImportLocal(RepoPaths.DefaultModel, Bundled, "1.2.0");
        _store.Activate(Bundled, "1.2.0");
        using var active = Load(products);
        active.KeepsFailing += new ModelRollback(_store, active, Cpu, Factory(products), _log, TimeProvider.System, NullLogger.Instance).RollBackFailing;
        var failing = active.Snapshot()[Bundled];

        active.ReportInference(failing, succeeded: false);
        active.ReportInference(failing, succeeded: false);
        Assert.Equal("1.2.0", VersionJudging(active, "UBM").Version);
        active.ReportInference(failing, succeeded: false);

        Assert.Equal((Bundled, "0.9.0"), VersionJudging(active, "UBM"));
        Assert.Equal(ModelRollback.AutomaticActor, _log.AuditTrail(1)[0].Actor);
    }

    public void Dispose()
    {
        _log.Dispose();
        _temp.Dispose();
    }

    private ActiveModels Load(Dictionary<string, ProductSettings> products) =>
        ModelBootstrap.Load(_store, RepoPaths.DefaultModel, Cpu, Factory(products), failuresBeforeRollback: 3, NullLogger.Instance);

    private static InspectorFactory Factory(Dictionary<string, ProductSettings> products) =>
        new(new DecodeLimits(), new AlignmentOptions(), products, new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);

    private (string Name, string Version) VersionJudging(ActiveModels active, string product)
    {
        var truth = _pairs.First(p => p.Product == product);
        using var lease = active.Acquire(product);
        Assert.NotNull(lease);
        var image = Path.Combine(_temp.Path, "pairs", truth.ImagePath);
        var template = Path.Combine(_temp.Path, "pairs", truth.TemplatePath);
        var verdict = lease.Inspector.Inspect(new(image, truth.Id, product, Path.GetDirectoryName(image)!, image, template, DateTimeOffset.UtcNow, new Dictionary<string, string>()));
        Assert.NotNull(verdict.Score);
        return (verdict.Model!.Name, verdict.Model.Version);
    }
}
