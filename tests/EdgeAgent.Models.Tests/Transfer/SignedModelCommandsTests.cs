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
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Models.Tests.Transfer;

/// <summary>
/// Issue 17, hole 3: a recorded rollback and a recorded push, sent again by anyone on the broker, flipped the model in
/// service. Rollbacks are now signed commands (trusted key, clock window, nonce kept on disk) and a push at or below the
/// highest version activated needs a signed downgrade intent. Real mosquitto, real store, real bundled model and canary;
/// the attacker is a <see cref="CommandRecorder"/> on the same broker.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SignedModelCommandsTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromMinutes(2);
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-signed-");
    private readonly SigningKey _technician = SigningKey.Generate();
    private readonly SigningKey _stranger = SigningKey.Generate();
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly VerdictLog _log;
    private readonly InspectorFactory _factory;
    private readonly TrustList _trust;
    private readonly string _data;
    private MosquittoBroker _broker = null!;
    private ModelCommandBox _box = null!;
    private ModelTransferSender _sender = null!;

    public SignedModelCommandsTests()
    {
        _data = _temp.Sub("data");
        SyntheticDataset.Write(Path.Combine(_data, "canary"), new SyntheticDatasetOptions { Count = 4, NgFraction = 0, Seed = 31, Size = 300 });
        _factory = new InspectorFactory(new DecodeLimits(), new AlignmentOptions(), new Dictionary<string, ProductSettings>(),
            new StationIdentity("t", "t", "t", "t"), new VerdictIdGenerator(TimeProvider.System), TimeProvider.System);
        _store = new ModelStore(Path.Combine(_data, "models"), keepPrevious: 2);
        _active = ModelBootstrap.Load(_store, RepoPaths.DefaultModel, Cpu, _factory, 3, NullLogger.Instance);
        _log = VerdictLog.Open(Path.Combine(_data, "edgeagent.db"));
        _trust = new TrustList([TrustedKey.FromPem(_technician.PublicKeyPem, "technician.pub")]);
    }

    public async Task InitializeAsync()
    {
        _broker = new MosquittoBroker(_temp.Sub("broker"), "max_packet_size 1048576");
        await StartBoxAsync();
    }

    [Fact]
    public async Task Replay_RecordedRollbackAlternatedWithRecordedPushes_NeverSwitchesTheModelInService()
    {
        await using var tap = await CommandRecorder.StartAsync(_broker.Port, ModelCommandBox.TopicRoot);
        Assert.Equal(ModelStates.Activated, (await PushAsync(Package("1.2.0"))).State);
        var push12 = await tap.TakeAsync("end");
        Assert.Equal(ModelStates.Activated, (await PushAsync(Package("2.0.0"))).State);
        var push20 = await tap.TakeAsync("end");
        Assert.Equal(ModelStates.RolledBack, (await _sender.RollbackAsync(Bundled, "anna", _technician, Answer, CancellationToken.None)).State);
        var rollback = await tap.TakeAsync("rollback");
        var switchesBefore = Switches();

        // After every replay: the box's answer and the version in service (the probe saw 1.2.0 and 2.0.0 alternate).
        var seen = new List<(string? Reason, string? Active)>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var replay in new[] { push20, rollback, push12 })
            {
                var reason = (await tap.ReplayAsync(replay)).Reason;
                seen.Add((reason, _active.Snapshot()[Bundled].Version));
            }
        }

        var expected = new (string?, string?)[] { (CommandReasons.Downgrade, "1.2.0"), (CommandReasons.Replayed, "1.2.0"), (CommandReasons.Downgrade, "1.2.0") };
        Assert.Equal(Enumerable.Repeat(expected, 3).SelectMany(round => round), seen);
        Assert.Equal("1.2.0", _store.Active(Bundled)?.Version);
        Assert.Equal(switchesBefore, Switches());
    }

    [Fact]
    public async Task Rollback_Unsigned_RefusedUnsignedAuditedAndTheModelStays()
    {
        await PushAsync(Package("1.2.0"));

        var status = await _sender.RollbackAsync(new RollbackRequest("r-unsigned", Bundled, "anna"), Answer, CancellationToken.None);

        AssertRefused(status, CommandReasons.Unsigned, "1.2.0");
    }

    [Fact]
    public async Task Rollback_SignedByAKeyNotTrusted_RefusedUntrustedKey()
    {
        await PushAsync(Package("1.2.0"));

        var status = await _sender.RollbackAsync(Bundled, "anna", _stranger, Answer, CancellationToken.None);

        AssertRefused(status, CommandReasons.UntrustedKey, "1.2.0");
    }

    [Fact]
    public async Task Rollback_SignedForAnotherBox_RefusedBadSignature()
    {
        await PushAsync(Package("1.2.0"));
        var elsewhere = SignedCommand.Sign(_technician, "edgeagent/t/a/l/other-station", SignedCommand.Rollback, Bundled, null, TimeProvider.System);

        var status = await _sender.RollbackAsync(new RollbackRequest("r-other", Bundled, "anna", elsewhere), Answer, CancellationToken.None);

        AssertRefused(status, CommandReasons.BadSignature, "1.2.0");
    }

    [Fact]
    public async Task Rollback_IssuedOutsideTheClockWindow_RefusedStale()
    {
        await PushAsync(Package("1.2.0"));
        var eleventhMinute = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(11));
        var old = SignedCommand.Sign(_technician, ModelCommandBox.TopicRoot, SignedCommand.Rollback, Bundled, null, eleventhMinute);

        var status = await _sender.RollbackAsync(new RollbackRequest("r-old", Bundled, "anna", old), Answer, CancellationToken.None);

        AssertRefused(status, CommandReasons.Stale, "1.2.0");
    }

    [Fact]
    public async Task Rollback_ReplayedAfterTheBoxRestarts_RefusedReplayed()
    {
        await using var tap = await CommandRecorder.StartAsync(_broker.Port, ModelCommandBox.TopicRoot);
        await PushAsync(Package("1.2.0"));
        await PushAsync(Package("1.3.0"));
        Assert.Equal(ModelStates.RolledBack, (await _sender.RollbackAsync(Bundled, "anna", _technician, Answer, CancellationToken.None)).State);
        var rollback = await tap.TakeAsync("rollback");

        await RestartBoxAsync();
        var status = await tap.ReplayAsync(rollback);

        // Without the nonce kept on disk the box would go one step further back, to the bundled 1.1.0.
        AssertRefused(status, CommandReasons.Replayed, "1.2.0");
    }

    [Fact]
    public async Task Push_VersionBelowTheHighestActivatedWithoutIntent_RefusedDowngrade()
    {
        var status = await PushAsync(Package("1.0.0"));

        Assert.Equal((ModelStates.Rejected, CommandReasons.Downgrade), (status.State, status.Reason));
        Assert.Contains("1.1.0", status.Detail, StringComparison.Ordinal);
        Assert.Equal("1.1.0", _active.Snapshot()[Bundled].Version);
        Assert.StartsWith(CommandReasons.Downgrade, _log.AuditTrail(1)[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_DowngradeIntentSignedByAKeyNotTrusted_RefusedDowngrade()
    {
        var status = await PushAsync(Package("1.0.0"), _stranger, new StatusModel(Bundled, "1.0.0"));

        Assert.Equal((ModelStates.Rejected, CommandReasons.Downgrade), (status.State, status.Reason));
        Assert.Contains(CommandReasons.UntrustedKey, status.Detail, StringComparison.Ordinal);
        Assert.Equal("1.1.0", _active.Snapshot()[Bundled].Version);
    }

    [Fact]
    public async Task Push_VersionBelowTheHighestWithASignedIntent_ActivatesAndAuditsWhoAuthorisedIt()
    {
        var status = await PushAsync(Package("1.0.0"), _technician, new StatusModel(Bundled, "1.0.0"));

        Assert.True(status.State == ModelStates.Activated, $"{status.Reason}: {status.Detail}");
        Assert.Equal("1.0.0", _active.Snapshot()[Bundled].Version);
        var pushed = _log.AuditTrail(5).First(a => a.Action == "pushed");
        Assert.Contains($"authorised by key {_technician.KeyId}", pushed.Detail, StringComparison.Ordinal);
        // The highest version activated stays 1.1.0: going back up to it again is a downgrade too.
        Assert.Equal("1.1.0", _store.Highest(Bundled));
    }

    [Fact]
    public async Task Push_SignedWhileBareBeginsSquatEverySlot_DisplacesThemAndActivates()
    {
        await using var tap = await CommandRecorder.StartAsync(_broker.Port, ModelCommandBox.TopicRoot);
        foreach (var id in new[] { "squat-1", "squat-2" })
        {
            var squat = $$"""{"transferId":"{{id}}","size":100000,"sha256":"{{new string('a', 64)}}","chunkSize":65536,"fileName":"x","sender":"mallory"}""";
            Assert.Equal(ModelStates.Receiving, (await tap.ReplayAsync([new RecordedCommand(ModelCommandBox.TopicRoot + "/cmd/model/begin", System.Text.Encoding.UTF8.GetBytes(squat))])).State);
        }

        var unsigned = await PushAsync(Package("1.2.0"));
        var signed = await PushAsync(Package("1.2.0"), _technician);

        Assert.Equal((ModelStates.Rejected, TransferReasons.Busy), (unsigned.State, unsigned.Reason));
        Assert.True(signed.State == ModelStates.Activated, $"{signed.Reason}: {signed.Detail}");
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

    /// <summary>The box's command side as the agent composes it; a second call is a restart (nonces read back from disk).</summary>
    private async Task StartBoxAsync()
    {
        var window = new ModelsOptions().CommandClockWindow;
        var commands = new CommandAuthenticator(_trust, new SeenNonces(_store.Folder, window, TimeProvider.System), ModelCommandBox.TopicRoot, window, TimeProvider.System);
        var activation = new ModelActivation(_store, _active, _trust, commands, new ModelsOptions(), Cpu, _factory, _log, _data, "default", TimeProvider.System, NullLogger.Instance);
        var rollback = new ModelRollback(_store, _active, Cpu, _factory, _log, TimeProvider.System, NullLogger.Instance);
        _box = await ModelCommandBox.StartAsync(_broker.Port, Path.Combine(_data, "incoming", "transfers"),
            new ModelCommands(activation, rollback, commands, _log, TimeProvider.System), signedPush: commands.IsSignedPush);
        _sender = await _box.SenderAsync(_broker.Port);
    }

    private async Task RestartBoxAsync()
    {
        await _sender.DisposeAsync();
        await _box.DisposeAsync();
        await StartBoxAsync();
    }

    private int Switches() => _log.AuditTrail(1000).Count(a => a.Action is "activated" or "rolled-back");

    private void AssertRefused(ModelStatus status, string reason, string stillActive)
    {
        Assert.Equal((ModelStates.Rejected, reason), (status.State, status.Reason));
        Assert.Equal(stillActive, _store.Active(Bundled)?.Version);
        Assert.Equal(stillActive, _active.Snapshot()[Bundled].Version);
        var audit = _log.AuditTrail(1)[0];
        Assert.Equal("rejected", audit.Action);
        Assert.StartsWith(reason, audit.Detail, StringComparison.Ordinal);
    }

    private async Task<ModelStatus> PushAsync(string package, SigningKey? signer = null, StatusModel? downgrade = null) =>
        (await _sender.PushAsync(package, 256 * 1024, "tests", Answer, null, CancellationToken.None, signer: signer, downgrade: downgrade)).Status;

    private string Package(string version)
    {
        var path = Path.Combine(_temp.Path, $"{Guid.NewGuid():N}.eamodel");
        ModelPackageBuilder.Build(RepoPaths.DefaultModel, Bundled, version, null, "test", "tests", _technician, path);
        return path;
    }
}
