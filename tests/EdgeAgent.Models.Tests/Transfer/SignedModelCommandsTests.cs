using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Tests.Support;
using EdgeAgent.Models.Transfer;
using EdgeAgent.Testing;
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
    private const string Bundled = CommandBoxRig.Bundled;
    private static readonly TimeSpan Answer = CommandBoxRig.Answer;
    private CommandBoxRig _rig = null!;

    public async Task InitializeAsync() => _rig = await CommandBoxRig.StartAsync("edgeagent-signed-");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Replay_RecordedRollbackAlternatedWithRecordedPushes_NeverSwitchesTheModelInService()
    {
        await using var tap = await CommandRecorder.StartAsync(_rig.Broker.Port, ModelCommandBox.TopicRoot);
        Assert.Equal(ModelStates.Activated, (await _rig.PushAsync(_rig.Package("1.2.0"))).State);
        var push12 = await tap.TakeAsync("end");
        Assert.Equal(ModelStates.Activated, (await _rig.PushAsync(_rig.Package("2.0.0"))).State);
        var push20 = await tap.TakeAsync("end");
        Assert.Equal(ModelStates.RolledBack, (await _rig.Sender.RollbackAsync(Bundled, "anna", _rig.Technician, Answer, CancellationToken.None)).State);
        var rollback = await tap.TakeAsync("rollback");
        var switchesBefore = Switches();

        // After every replay: the box's answer and the version in service (the probe saw 1.2.0 and 2.0.0 alternate).
        var seen = new List<(string? Reason, string? Active)>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var replay in new[] { push20, rollback, push12 })
            {
                var reason = (await tap.ReplayAsync(replay)).Reason;
                seen.Add((reason, _rig.Active.Snapshot()[Bundled].Version));
            }
        }

        var expected = new (string?, string?)[] { (CommandReasons.Downgrade, "1.2.0"), (CommandReasons.Replayed, "1.2.0"), (CommandReasons.Downgrade, "1.2.0") };
        Assert.Equal(Enumerable.Repeat(expected, 3).SelectMany(round => round), seen);
        Assert.Equal("1.2.0", _rig.Store.Active(Bundled)?.Version);
        Assert.Equal(switchesBefore, Switches());
    }

    [Fact]
    public async Task Rollback_Unsigned_RefusedUnsignedAuditedAndTheModelStays()
    {
        await _rig.PushAsync(_rig.Package("1.2.0"));

        var status = await _rig.Sender.RollbackAsync(new RollbackRequest("r-unsigned", Bundled, "anna"), Answer, CancellationToken.None);

        _rig.AssertRefused(status, CommandReasons.Unsigned, "1.2.0");
    }

    [Fact]
    public async Task Rollback_SignedByAKeyNotTrusted_RefusedUntrustedKey()
    {
        await _rig.PushAsync(_rig.Package("1.2.0"));

        var status = await _rig.Sender.RollbackAsync(Bundled, "anna", _rig.Stranger, Answer, CancellationToken.None);

        _rig.AssertRefused(status, CommandReasons.UntrustedKey, "1.2.0");
    }

    [Fact]
    public async Task Rollback_SignedForAnotherBox_RefusedBadSignature()
    {
        await _rig.PushAsync(_rig.Package("1.2.0"));
        var elsewhere = SignedCommand.Sign(_rig.Technician, "edgeagent/t/a/l/other-station", SignedCommand.Rollback, Bundled, null, TimeProvider.System);

        var status = await _rig.Sender.RollbackAsync(new RollbackRequest("r-other", Bundled, "anna", elsewhere), Answer, CancellationToken.None);

        _rig.AssertRefused(status, CommandReasons.BadSignature, "1.2.0");
    }

    [Fact]
    public async Task Rollback_IssuedOutsideTheClockWindow_RefusedStale()
    {
        await _rig.PushAsync(_rig.Package("1.2.0"));
        var eleventhMinute = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(11));
        var old = SignedCommand.Sign(_rig.Technician, ModelCommandBox.TopicRoot, SignedCommand.Rollback, Bundled, null, eleventhMinute);

        var status = await _rig.Sender.RollbackAsync(new RollbackRequest("r-old", Bundled, "anna", old), Answer, CancellationToken.None);

        _rig.AssertRefused(status, CommandReasons.Stale, "1.2.0");
    }

    [Fact]
    public async Task Rollback_ReplayedAfterTheBoxRestarts_RefusedReplayed()
    {
        await using var tap = await CommandRecorder.StartAsync(_rig.Broker.Port, ModelCommandBox.TopicRoot);
        await _rig.PushAsync(_rig.Package("1.2.0"));
        await _rig.PushAsync(_rig.Package("1.3.0"));
        Assert.Equal(ModelStates.RolledBack, (await _rig.Sender.RollbackAsync(Bundled, "anna", _rig.Technician, Answer, CancellationToken.None)).State);
        var rollback = await tap.TakeAsync("rollback");

        await _rig.RestartBoxAsync();
        var status = await tap.ReplayAsync(rollback);

        // Without the nonce kept on disk the box would go one step further back, to the bundled 1.1.0.
        _rig.AssertRefused(status, CommandReasons.Replayed, "1.2.0");
    }

    [Fact]
    public async Task Push_VersionBelowTheHighestActivatedWithoutIntent_RefusedDowngrade()
    {
        var status = await _rig.PushAsync(_rig.Package("1.0.0"));

        Assert.Equal((ModelStates.Rejected, CommandReasons.Downgrade), (status.State, status.Reason));
        Assert.Contains("1.1.0", status.Detail, StringComparison.Ordinal);
        Assert.Equal("1.1.0", _rig.Active.Snapshot()[Bundled].Version);
        Assert.StartsWith(CommandReasons.Downgrade, _rig.Log.AuditTrail(1)[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_DowngradeIntentSignedByAKeyNotTrusted_RefusedDowngrade()
    {
        var status = await _rig.PushAsync(_rig.Package("1.0.0"), _rig.Stranger, new StatusModel(Bundled, "1.0.0"));

        Assert.Equal((ModelStates.Rejected, CommandReasons.Downgrade), (status.State, status.Reason));
        Assert.Contains(CommandReasons.UntrustedKey, status.Detail, StringComparison.Ordinal);
        Assert.Equal("1.1.0", _rig.Active.Snapshot()[Bundled].Version);
    }

    [Fact]
    public async Task Push_VersionBelowTheHighestWithASignedIntent_ActivatesAndAuditsWhoAuthorisedIt()
    {
        var status = await _rig.PushAsync(_rig.Package("1.0.0"), _rig.Technician, new StatusModel(Bundled, "1.0.0"));

        Assert.True(status.State == ModelStates.Activated, $"{status.Reason}: {status.Detail}");
        Assert.Equal("1.0.0", _rig.Active.Snapshot()[Bundled].Version);
        var pushed = _rig.Log.AuditTrail(5).First(a => a.Action == "pushed");
        Assert.Contains($"authorised by key {_rig.Technician.KeyId}", pushed.Detail, StringComparison.Ordinal);
        // The highest version activated stays 1.1.0: going back up to it again is a downgrade too.
        Assert.Equal("1.1.0", _rig.Store.Highest(Bundled));
    }

    [Fact]
    public async Task Push_SignedWhileBareBeginsSquatEverySlot_DisplacesThemAndActivates()
    {
        await using var tap = await CommandRecorder.StartAsync(_rig.Broker.Port, ModelCommandBox.TopicRoot);
        foreach (var id in new[] { "squat-1", "squat-2" })
        {
            var squat = $$"""{"transferId":"{{id}}","size":100000,"sha256":"{{new string('a', 64)}}","chunkSize":65536,"fileName":"x","sender":"mallory"}""";
            Assert.Equal(ModelStates.Receiving, (await tap.ReplayAsync([new RecordedCommand(ModelCommandBox.TopicRoot + "/cmd/model/begin", System.Text.Encoding.UTF8.GetBytes(squat))])).State);
        }

        var unsigned = await _rig.PushAsync(_rig.Package("1.2.0"));
        var signed = await _rig.PushAsync(_rig.Package("1.2.0"), _rig.Technician);

        Assert.Equal((ModelStates.Rejected, TransferReasons.Busy), (unsigned.State, unsigned.Reason));
        Assert.True(signed.State == ModelStates.Activated, $"{signed.Reason}: {signed.Detail}");
    }

    private int Switches() => _rig.Log.AuditTrail(1000).Count(a => a.Action is "activated" or "rolled-back");
}
