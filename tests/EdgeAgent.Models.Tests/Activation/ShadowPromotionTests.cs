using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Tests.Support;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Testing;

namespace EdgeAgent.Models.Tests.Activation;

/// <summary>
/// A shadow promoted over a real mosquitto by the command a supervisor's <c>models promote</c> sends: through the
/// real canary into service, audited, the shadow stopped; refused with a reason when there is nothing to promote.
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

        var status = await _rig.Sender.PromoteAsync("UBM", "supervisor", TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.True(status.State == ModelStates.Activated, status.Detail);
        Assert.Equal(new StatusModel(Bundled, "1.2.0"), status.Model);
        Assert.Equal("1.2.0", _rig.Store.Active(Bundled)!.Version);
        Assert.Equal("1.2.0", _rig.Active.Snapshot()[Bundled].Version);
        Assert.Null(_rig.Active.RouteOf("UBM").Shadow);
        Assert.Contains(_rig.Log.AuditTrail(10), a => a.Action == "promoted" && a.Actor == "supervisor" && a.Version == "1.2.0");
    }

    [Fact]
    public async Task Promote_ProductWithoutAShadow_RefusedAndNothingChanges()
    {
        var status = await _rig.Sender.PromoteAsync("M1", "supervisor", TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.Equal((ModelStates.Rejected, ModelActivation.NoShadow), (status.State, status.Reason));
        Assert.Equal("1.1.0", _rig.Store.Active(Bundled)!.Version);
    }
}
