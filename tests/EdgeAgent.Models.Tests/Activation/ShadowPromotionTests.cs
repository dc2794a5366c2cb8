using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Tests.Support;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Testing;

namespace EdgeAgent.Models.Tests.Activation;

/// <summary>
/// A shadow promoted over a real mosquitto by the signed command a technician's <c>models promote --key</c> sends:
/// through the real canary into service, audited under the key's id, the shadow stopped; refused with a reason when
/// there is nothing to promote, and when the command is unsigned or signed by a key the box does not trust.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ShadowPromotionTests : IAsyncLifetime
{
    private const string Bundled = CommandBoxRig.Bundled;
    private CommandBoxRig _rig = null!;

    public async Task InitializeAsync() => _rig = await CommandBoxRig.StartAsync(
        "edgeagent-promotion-",
        new Dictionary<string, ProductSettings> { ["UBM"] = new() { Shadow = new() { Name = Bundled, Version = "1.2.0" } } },
        store => store.ImportLocal(RepoPaths.DefaultModel, Bundled, "1.2.0")); // installed beside the bundled 1.1.0, not active

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Promote_ShadowPassesTheCanary_BecomesTheActiveVersionAndTheShadowStops()
    {
        Assert.NotNull(_rig.Active.RouteOf("UBM").Shadow);

        var status = await _rig.Sender.PromoteAsync("UBM", "supervisor", _rig.Technician, CommandBoxRig.Answer, CancellationToken.None);

        Assert.True(status.State == ModelStates.Activated, status.Detail);
        Assert.Equal(new StatusModel(Bundled, "1.2.0"), status.Model);
        Assert.Equal("1.2.0", _rig.Store.Active(Bundled)!.Version);
        Assert.Equal("1.2.0", _rig.Active.Snapshot()[Bundled].Version);
        Assert.Null(_rig.Active.RouteOf("UBM").Shadow);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "promoted" && a.Actor == _rig.Technician.KeyId && a.Version == "1.2.0");
    }

    [Fact]
    public async Task Promote_ProductWithoutAShadow_RefusedAndNothingChanges()
    {
        var status = await _rig.Sender.PromoteAsync("M1", "supervisor", _rig.Technician, CommandBoxRig.Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, ModelActivation.NoShadow), (status.State, status.Reason));
        Assert.Equal("1.1.0", _rig.Store.Active(Bundled)!.Version);
    }

    [Fact]
    public async Task Promote_UnsignedOrByAnUntrustedKey_RefusedAuditedAndTheShadowStaysAShadow()
    {
        // Before promote was signed, anyone on the broker could put a shadow (possibly a lower version) into service.
        var unsigned = await _rig.Sender.PromoteAsync(new PromoteRequest("p1", "UBM", "mallory"), CommandBoxRig.Answer, CancellationToken.None);
        var stranger = await _rig.Sender.PromoteAsync("UBM", "mallory", _rig.Stranger, CommandBoxRig.Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, "UNSIGNED"), (unsigned.State, unsigned.Reason));
        Assert.Equal((ModelStates.Rejected, "UNTRUSTED_KEY"), (stranger.State, stranger.Reason));
        Assert.Equal("1.1.0", _rig.Store.Active(Bundled)!.Version);
        Assert.NotNull(_rig.Active.RouteOf("UBM").Shadow);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "rejected" && a.Detail!.StartsWith("UNSIGNED", StringComparison.Ordinal));
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "rejected" && a.Detail!.StartsWith("UNTRUSTED_KEY", StringComparison.Ordinal));
    }
}
