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

namespace EdgeAgent.Models.Tests.Support;

/// <summary>
/// A box's model command side composed as the agent composes it, over a real mosquitto (packet limit 1 MiB), with the
/// real store, the real bundled model, a real canary of 4 OK pairs and the journal, plus a technician's sender. Two
/// keys: <see cref="Technician"/> (trusted) and <see cref="Stranger"/> (not).
/// </summary>
internal sealed class CommandBoxRig : IAsyncDisposable
{
    /// <summary>The bundled model's name, active at start (version 1.1.0).</summary>
    public const string Bundled = "stpm-r18-synth";

    /// <summary>How long a command may take to be answered (a push runs the canary).</summary>
    public static readonly TimeSpan Answer = TimeSpan.FromMinutes(2);

    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly InspectorFactory _factory;
    private readonly TrustList _trust;

    private CommandBoxRig(string prefix, Dictionary<string, ProductSettings>? products, Action<ModelStore>? prepareStore)
    {
        Temp = new TempFolder(prefix);
        Data = Temp.Sub("data");
        SyntheticDataset.Write(Path.Combine(Data, "canary"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 31, Size = 300 });
        _factory = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), products ?? [],
            new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);
        Store = new ModelStore(Path.Combine(Data, "models"), keepPrevious: 2);
        prepareStore?.Invoke(Store);
        Active = ModelBootstrap.Load(Store, RepoPaths.DefaultModel, Cpu, _factory, 3, NullLogger.Instance);
        Log = VerdictLog.Open(Path.Combine(Data, "edgeagent.db"));
        _trust = new TrustList([TrustedKey.FromPem(Technician.PublicKeyPem, "technician.pub")]);
        Broker = new MosquittoBroker(Temp.Sub("broker"), "max_packet_size 1048576");
    }

    public TempFolder Temp { get; }

    public string Data { get; }

    public SigningKey Technician { get; } = SigningKey.Generate();

    public SigningKey Stranger { get; } = SigningKey.Generate();

    public ModelStore Store { get; }

    public ActiveModels Active { get; }

    public VerdictLog Log { get; }

    public MosquittoBroker Broker { get; }

    public ModelCommandBox Box { get; private set; } = null!;

    public ModelTransferSender Sender { get; private set; } = null!;

    /// <summary>
    /// Starts the rig; <paramref name="products"/> are the box's product settings (default none), and
    /// <paramref name="prepareStore"/> installs into the store before the bundled model is loaded from it.
    /// </summary>
    public static async Task<CommandBoxRig> StartAsync(string prefix, Dictionary<string, ProductSettings>? products = null, Action<ModelStore>? prepareStore = null)
    {
        var rig = new CommandBoxRig(prefix, products, prepareStore);
        await rig.StartBoxAsync();
        return rig;
    }

    /// <summary>Stops the box's command side and starts it again on the same folders (nonces read back from disk).</summary>
    public async Task RestartBoxAsync()
    {
        await Sender.DisposeAsync();
        await Box.DisposeAsync();
        await StartBoxAsync();
    }

    /// <summary>Pushes <paramref name="package"/>, its begin signed by <paramref name="signer"/> and its end carrying a downgrade intent when given.</summary>
    public async Task<ModelStatus> PushAsync(string package, SigningKey? signer = null, StatusModel? downgrade = null) =>
        (await Sender.PushAsync(package, 256 * 1024, "tests", Answer, null, CancellationToken.None, signer: signer, downgrade: downgrade)).Status;

    /// <summary>A package of <paramref name="onnx"/> (default: the bundled model) named <see cref="Bundled"/>, signed by <paramref name="key"/> (default: the technician).</summary>
    public string Package(string version, string? onnx = null, SigningKey? key = null)
    {
        var path = Path.Combine(Temp.Path, $"{Guid.NewGuid():N}.eamodel");
        ModelPackageBuilder.Build(onnx ?? RepoPaths.DefaultModel, Bundled, version, null, "test", "tests", key ?? Technician, path);
        return path;
    }

    /// <summary>The command was refused with <paramref name="reason"/>, audited, and <paramref name="stillActive"/> stays in service.</summary>
    public void AssertRefused(ModelStatus status, string reason, string stillActive)
    {
        Assert.Equal((ModelStates.Rejected, reason), (status.State, status.Reason));
        Assert.Equal(stillActive, Store.Active(Bundled)?.Version);
        Assert.Equal(stillActive, Active.Snapshot()[Bundled].Version);
        var audit = Log.AuditTrail(1)[0];
        Assert.Equal("rejected", audit.Action);
        Assert.StartsWith(reason, audit.Detail, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync();
        await Box.DisposeAsync();
        Broker.Dispose();
        Active.Dispose();
        Log.Dispose();
        Technician.Dispose();
        Stranger.Dispose();
        Temp.Dispose();
    }

    private async Task StartBoxAsync()
    {
        var window = new ModelsOptions().CommandClockWindow;
        var commands = new CommandAuthenticator(_trust, new SeenNonces(Store.Folder, window, TimeProvider.System), ModelCommandBox.TopicRoot);
        var activation = new ModelActivation(Store, Active, _trust, commands, new ModelsOptions(), Cpu, _factory, Log, Data, "default", TimeProvider.System, NullLogger.Instance);
        var rollback = new ModelRollback(Store, Active, Cpu, _factory, Log, TimeProvider.System, NullLogger.Instance);
        Box = await ModelCommandBox.StartAsync(Broker.Port, Path.Combine(Data, "incoming", "transfers"),
            new ModelCommands(activation, rollback, commands, Log, TimeProvider.System), signedPush: commands.IsSignedPush);
        Sender = await Box.SenderAsync(Broker.Port);
    }
}
