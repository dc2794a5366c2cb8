using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Models.Transfer;
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

/// <summary>
/// A shadow promoted over a real mosquitto by the command a supervisor's <c>models promote</c> sends: through the
/// real canary into service, audited, the shadow stopped; refused with a reason when there is nothing to promote.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ShadowPromotionTests : IAsyncLifetime
{
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-promotion-");
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly VerdictLog _log;
    private readonly ModelCommands _commands;
    private readonly string _data;
    private MosquittoBroker _broker = null!;
    private ModelCommandBox _box = null!;
    private ModelTransferSender _sender = null!;

    public ShadowPromotionTests()
    {
        _data = _temp.Sub("data");
        SyntheticDataset.Write(Path.Combine(_data, "canary"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 31, Size = 300 });
        _store = new ModelStore(Path.Combine(_data, "models"), keepPrevious: 2);
        _store.ImportLocal(RepoPaths.DefaultModel, Bundled, "1.2.0"); // installed beside the bundled 1.1.0, not active
        var products = new Dictionary<string, ProductSettings> { ["UBM"] = new() { Shadow = new() { Name = Bundled, Version = "1.2.0" } } };
        var factory = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), products,
            new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);
        _active = ModelBootstrap.Load(_store, RepoPaths.DefaultModel, Cpu, factory, 3, NullLogger.Instance);
        _log = VerdictLog.Open(Path.Combine(_data, "edgeagent.db"));
        var window = new ModelsOptions().CommandClockWindow;
        var signed = new CommandAuthenticator(new TrustList([]), new SeenNonces(_store.Folder, window, TimeProvider.System), ModelCommandBox.TopicRoot, window, TimeProvider.System);
        var activation = new ModelActivation(_store, _active, new TrustList([]), signed, new ModelsOptions(), Cpu, factory, _log, _data, "default", TimeProvider.System, NullLogger.Instance);
        _commands = new ModelCommands(activation, new ModelRollback(_store, _active, Cpu, factory, _log, TimeProvider.System, NullLogger.Instance), signed, _log, TimeProvider.System);
    }

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"));
        _box = await ModelCommandBox.StartAsync(_broker.Port, Path.Combine(_data, "incoming", "transfers"), _commands);
        _sender = await _box.SenderAsync(_broker.Port);
    }

    [Fact]
    public async Task Promote_ShadowPassesTheCanary_BecomesTheActiveVersionAndTheShadowStops()
    {
        Assert.NotNull(_active.RouteOf("UBM").Shadow);

        var status = await _sender.PromoteAsync("UBM", "supervisor", TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.True(status.State == ModelStates.Activated, status.Detail);
        Assert.Equal(new StatusModel(Bundled, "1.2.0"), status.Model);
        Assert.Equal("1.2.0", _store.Active(Bundled)!.Version);
        Assert.Equal("1.2.0", _active.Snapshot()[Bundled].Version);
        Assert.Null(_active.RouteOf("UBM").Shadow);
        Assert.Contains(_log.AuditTrail(10), a => a.Action == "promoted" && a.Actor == "supervisor" && a.Version == "1.2.0");
    }

    [Fact]
    public async Task Promote_ProductWithoutAShadow_RefusedAndNothingChanges()
    {
        var status = await _sender.PromoteAsync("M1", "supervisor", TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, ModelActivation.NoShadow), (status.State, status.Reason));
        Assert.Equal("1.1.0", _store.Active(Bundled)!.Version);
    }

    public async Task DisposeAsync()
    {
        await _sender.DisposeAsync();
        await _box.DisposeAsync();
        _broker.Dispose();
        _active.Dispose();
        _log.Dispose();
        _temp.Dispose();
    }
}
