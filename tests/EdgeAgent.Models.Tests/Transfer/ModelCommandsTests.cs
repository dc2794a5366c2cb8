using System.IO.Compression;
using EdgeAgent.Inference.Model;
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

namespace EdgeAgent.Models.Tests.Transfer;

/// <summary>
/// Packages from a technician's hands to active service, or refused with a reason while the model in service
/// keeps judging: real signed packages pushed over a real mosquitto (packet limit 1 MiB, packages of ~20 MB)
/// to the box's command listener, the real store, the real bundled model and a real canary.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModelCommandsTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromMinutes(2);
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-activation-");
    private readonly SigningKey _technician = SigningKey.Generate();
    private readonly SigningKey _stranger = SigningKey.Generate();
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly VerdictLog _log;
    private readonly ModelActivation _activation;
    private readonly ModelRollback _rollback;
    private readonly CommandAuthenticator _commands;
    private readonly string _data;
    private MosquittoBroker _broker = null!;
    private ModelCommandBox _box = null!;
    private ModelTransferSender _sender = null!;

    public ModelCommandsTests()
    {
        _data = _temp.Sub("data");
        // The box's own canary: known-good pairs of both products.
        SyntheticDataset.Write(Path.Combine(_data, "canary"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 31, Size = 300 });
        var factory = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), new Dictionary<string, ProductSettings>(),
            new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);
        _store = new ModelStore(Path.Combine(_data, "models"), keepPrevious: 2);
        _active = ModelBootstrap.Load(_store, RepoPaths.DefaultModel, Cpu, factory, 3, NullLogger.Instance);
        _log = VerdictLog.Open(Path.Combine(_data, "edgeagent.db"));
        var trust = new TrustList([TrustedKey.FromPem(_technician.PublicKeyPem, "technician.pub")]);
        var window = new ModelsOptions().CommandClockWindow;
        _commands = new CommandAuthenticator(trust, new SeenNonces(_store.Folder, window, TimeProvider.System), ModelCommandBox.TopicRoot, window, TimeProvider.System);
        _activation = new ModelActivation(_store, _active, trust, _commands, new ModelsOptions(), Cpu, factory, _log, _data, "default", TimeProvider.System, NullLogger.Instance);
        _rollback = new ModelRollback(_store, _active, Cpu, factory, _log, TimeProvider.System, NullLogger.Instance);
    }

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"), "max_packet_size 1048576");
        _box = await ModelCommandBox.StartAsync(_broker.Port, Path.Combine(_data, "incoming", "transfers"),
            new ModelCommands(_activation, _rollback, _commands, _log, TimeProvider.System));
        _sender = await _box.SenderAsync(_broker.Port);
    }

    [Fact]
    public async Task Push_SignedPackageThatPassesTheCanary_ActivatesAndIsAudited()
    {
        var result = await PushAsync(Package(RepoPaths.DefaultModel, "1.2.0", _technician));

        Assert.True(result.State == ModelStates.Activated, result.Detail);
        Assert.Equal(new StatusModel(Bundled, "1.2.0"), result.Model);
        Assert.Equal("1.2.0", _store.Active(Bundled)?.Version);
        Assert.Equal("1.2.0", _active.Snapshot()[Bundled].Version);
        var audit = _log.AuditTrail(10);
        Assert.Equal(["activated", "pushed"], audit.Select(a => a.Action));
        Assert.Equal(_technician.KeyId, audit[0].Actor);
        Assert.Contains("OK pairs below threshold 4/4", audit[0].Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_data, "incoming"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Rollback_SignedAfterAPush_RestoresThePreviousVersionAndAuditsTheSignersKeyId()
    {
        var before = _store.Active(Bundled)!.Version;
        Assert.Equal(ModelStates.Activated, (await PushAsync(Package(RepoPaths.DefaultModel, "1.2.0", _technician))).State);

        var status = await _sender.RollbackAsync(Bundled, "technician-anna", _technician, Answer, CancellationToken.None);

        Assert.Equal((ModelStates.RolledBack, Bundled, before), (status.State, status.Model?.Name, status.Model?.Version));
        Assert.Equal(before, _store.Active(Bundled)?.Version);
        Assert.Equal(before, _active.Snapshot()[Bundled].Version);
        var audit = _log.AuditTrail(1)[0];
        // The actor is who signed, not who the sender says it is; the claim stays only as text.
        Assert.Equal(("rolled-back", _technician.KeyId), (audit.Action, audit.Actor));
        Assert.Contains("claimed 'technician-anna'", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_NoEarlierVersion_FailsAndTheCurrentOneStays()
    {
        var before = _store.Active(Bundled)!.Version;

        var status = await _sender.RollbackAsync(Bundled, "technician", _technician, Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Failed, ModelCommands.NothingToRollBackTo), (status.State, status.Reason));
        Assert.Equal(before, _active.Snapshot()[Bundled].Version);
    }

    [Fact]
    public Task Push_SignedByAKeyNotTrusted_RejectedAndTheOldModelStays() =>
        AssertRejectedAsync(Package(RepoPaths.DefaultModel, "1.2.0", _stranger), RejectionCode.UntrustedKey);

    [Fact]
    public Task Push_Unsigned_RejectedAndTheOldModelStays()
    {
        var package = Package(RepoPaths.DefaultModel, "1.2.0", _technician);
        Edit(package, zip => zip.GetEntry(PackageLayout.SignatureEntry)!.Delete());

        return AssertRejectedAsync(package, RejectionCode.Unsigned);
    }

    [Fact]
    public Task Push_ModelBytesChangedAfterSigning_RejectedAsTampered()
    {
        var package = Package(RepoPaths.DefaultModel, "1.2.0", _technician);
        Edit(package, zip =>
        {
            var entry = zip.GetEntry(PackageLayout.ModelEntry)!;
            byte[] bytes;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }

            bytes[bytes.Length / 2] ^= 0xFF;
            entry.Delete();
            using var replaced = zip.CreateEntry(PackageLayout.ModelEntry).Open();
            replaced.Write(bytes);
        });

        return AssertRejectedAsync(package, RejectionCode.Tampered);
    }

    [Fact]
    public async Task Push_EntryThatClimbsOutOfTheStaging_RejectedAsPathTraversal()
    {
        var package = Package(RepoPaths.DefaultModel, "1.2.0", _technician);
        Edit(package, zip =>
        {
            using var evil = zip.CreateEntry("../../evil.sh").Open();
            evil.Write("rm -rf /"u8);
        });

        await AssertRejectedAsync(package, RejectionCode.PathTraversal);
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "evil.sh", SearchOption.AllDirectories));
    }

    [Fact]
    public Task Push_FileThatIsNotAnStpmModel_RejectedAsWrongContract()
    {
        var fake = Path.Combine(_temp.Path, "fake.onnx");
        File.WriteAllBytes(fake, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        return AssertRejectedAsync(Package(fake, "1.2.0", _technician), ModelActivation.WrongContract);
    }

    [Theory]
    [InlineData("memseg_synth.onnx", "memseg")]
    [InlineData("pairseg_unet_synth.onnx", "pairseg")]
    [InlineData("classifier_seghead_synth.onnx", "classifier")]
    [InlineData("density_cutpaste_pair_synth.onnx", "density")]
    public async Task Push_BundledModelOfEachKind_PassesTheCanaryAndJudges(string file, string kind)
    {
        var onnx = Path.Combine(RepoPaths.Root, "models", "default", file);
        string name;
        using (var model = OnnxModel.Load(onnx, Cpu, NullLogger.Instance))
        {
            name = model.Info.Name;
        }

        var package = Path.Combine(_temp.Path, $"{kind}.eamodel");
        ModelPackageBuilder.Build(onnx, name, "1.0.0", null, "test", "tests", _technician, package);

        var result = await PushAsync(package);

        Assert.True(result.State == ModelStates.Activated, $"{result.Reason}: {result.Detail}");
        var loaded = _active.Snapshot()[name];
        Assert.Equal(kind, loaded.Model.Info.Kind.Name());
        Assert.Contains(_log.AuditTrail(5), a => a.Action == "activated" && a.Model == name);
    }

    [Fact]
    public async Task Push_ModelThatFailsTheCanary_RejectedWithTheNumbers()
    {
        // The contract-test model crops 320 px: the box's 300 px canary pairs are ERROR TOO_SMALL for it, so it cannot pass.
        var result = await AssertRejectedAsync(Package(RepoPaths.SmallModel, "2.0.0", _technician), ModelActivation.CanaryFailed);

        Assert.Contains("OK pairs below threshold", result.Detail, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _sender.DisposeAsync();
        await _box.DisposeAsync();
        _broker.Dispose();
        _active.Dispose();
        _log.Dispose();
        _technician.Dispose();
        _stranger.Dispose();
        _temp.Dispose();
    }

    private async Task<ModelStatus> PushAsync(string package) =>
        (await _sender.PushAsync(package, 256 * 1024, "tests", Answer, null, CancellationToken.None)).Status;

    private async Task<ModelStatus> AssertRejectedAsync(string package, string reason)
    {
        var before = _store.Active(Bundled)!.Version;

        var result = await PushAsync(package);

        Assert.Equal((ModelStates.Rejected, reason), (result.State, result.Reason));
        Assert.Equal(before, _store.Active(Bundled)?.Version);
        Assert.Equal(before, _active.Snapshot()[Bundled].Version);
        var audit = _log.AuditTrail(1)[0];
        Assert.Equal("rejected", audit.Action);
        Assert.StartsWith(reason, audit.Detail, StringComparison.Ordinal);
        return result;
    }

    private string Package(string onnx, string version, SigningKey key)
    {
        var path = Path.Combine(_temp.Path, $"{Guid.NewGuid():N}.eamodel");
        ModelPackageBuilder.Build(onnx, Bundled, version, null, "test", "tests", key, path);
        return path;
    }

    private static void Edit(string package, Action<ZipArchive> edit)
    {
        using var zip = ZipFile.Open(package, ZipArchiveMode.Update);
        edit(zip);
    }
}
