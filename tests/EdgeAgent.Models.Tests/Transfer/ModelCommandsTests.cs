using System.IO.Compression;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Tests.Support;
using EdgeAgent.Models.Transfer;
using EdgeAgent.Testing;
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
    private const string Bundled = CommandBoxRig.Bundled;
    private static readonly TimeSpan Answer = CommandBoxRig.Answer;
    private CommandBoxRig _rig = null!;

    public async Task InitializeAsync() => _rig = await CommandBoxRig.StartAsync("edgeagent-activation-");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Push_SignedPackageThatPassesTheCanary_ActivatesAndIsAudited()
    {
        var result = await _rig.PushAsync(_rig.Package("1.2.0"));

        Assert.True(result.State == ModelStates.Activated, result.Detail);
        Assert.Equal(new StatusModel(Bundled, "1.2.0"), result.Model);
        Assert.Equal("1.2.0", _rig.Store.Active(Bundled)?.Version);
        Assert.Equal("1.2.0", _rig.Active.Snapshot()[Bundled].Version);
        var audit = _rig.Log.AuditTrail(10);
        Assert.Equal(["activated", "pushed"], audit.Select(a => a.Action));
        Assert.Equal(_rig.Technician.KeyId, audit[0].Actor);
        Assert.Contains("OK pairs below threshold 4/4", audit[0].Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_rig.Data, "incoming"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Rollback_SignedAfterAPush_RestoresThePreviousVersionAndAuditsTheSignersKeyId()
    {
        var before = _rig.Store.Active(Bundled)!.Version;
        Assert.Equal(ModelStates.Activated, (await _rig.PushAsync(_rig.Package("1.2.0"))).State);

        var status = await _rig.Sender.RollbackAsync(Bundled, "technician-anna", _rig.Technician, Answer, CancellationToken.None);

        Assert.Equal((ModelStates.RolledBack, Bundled, before), (status.State, status.Model?.Name, status.Model?.Version));
        Assert.Equal(before, _rig.Store.Active(Bundled)?.Version);
        Assert.Equal(before, _rig.Active.Snapshot()[Bundled].Version);
        var audit = _rig.Log.AuditTrail(1)[0];
        // The actor is who signed, not who the sender says it is; the claim stays only as text.
        Assert.Equal(("rolled-back", _rig.Technician.KeyId), (audit.Action, audit.Actor));
        Assert.Contains("claimed 'technician-anna'", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_NoEarlierVersion_FailsAndTheCurrentOneStays()
    {
        var before = _rig.Store.Active(Bundled)!.Version;

        var status = await _rig.Sender.RollbackAsync(Bundled, "technician", _rig.Technician, Answer, CancellationToken.None);

        Assert.Equal((ModelStates.Failed, ModelCommands.NothingToRollBackTo), (status.State, status.Reason));
        Assert.Equal(before, _rig.Active.Snapshot()[Bundled].Version);
    }

    [Fact]
    public Task Push_SignedByAKeyNotTrusted_RejectedAndTheOldModelStays() =>
        AssertRejectedAsync(_rig.Package("1.2.0", key: _rig.Stranger), RejectionCode.UntrustedKey);

    [Fact]
    public Task Push_Unsigned_RejectedAndTheOldModelStays()
    {
        var package = _rig.Package("1.2.0");
        Edit(package, zip => zip.GetEntry(PackageLayout.SignatureEntry)!.Delete());

        return AssertRejectedAsync(package, RejectionCode.Unsigned);
    }

    [Fact]
    public Task Push_ModelBytesChangedAfterSigning_RejectedAsTampered()
    {
        var package = _rig.Package("1.2.0");
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
        var package = _rig.Package("1.2.0");
        Edit(package, zip =>
        {
            using var evil = zip.CreateEntry("../../evil.sh").Open();
            evil.Write("rm -rf /"u8);
        });

        await AssertRejectedAsync(package, RejectionCode.PathTraversal);
        Assert.Empty(Directory.EnumerateFiles(_rig.Temp.Path, "evil.sh", SearchOption.AllDirectories));
    }

    [Fact]
    public Task Push_FileThatIsNotAnStpmModel_RejectedAsWrongContract()
    {
        var fake = Path.Combine(_rig.Temp.Path, "fake.onnx");
        File.WriteAllBytes(fake, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        return AssertRejectedAsync(_rig.Package("1.2.0", fake), ModelActivation.WrongContract);
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
        using (var model = OnnxModel.Load(onnx, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance))
        {
            name = model.Info.Name;
        }

        var package = Path.Combine(_rig.Temp.Path, $"{kind}.eamodel");
        ModelPackageBuilder.Build(onnx, name, "1.0.0", null, "test", "tests", _rig.Technician, package);

        var result = await _rig.PushAsync(package);

        Assert.True(result.State == ModelStates.Activated, $"{result.Reason}: {result.Detail}");
        var loaded = _rig.Active.Snapshot()[name];
        Assert.Equal(kind, loaded.Model.Info.Kind.Name());
        Assert.Contains(_rig.Log.AuditTrail(5), a => a.Action == "activated" && a.Model == name);
    }

    [Fact]
    public async Task Push_ModelThatFailsTheCanary_RejectedWithTheNumbers()
    {
        // The contract-test model crops 320 px: the box's 300 px canary pairs are ERROR TOO_SMALL for it, so it cannot pass.
        var result = await AssertRejectedAsync(_rig.Package("2.0.0", RepoPaths.SmallModel), ModelActivation.CanaryFailed);

        Assert.Contains("OK pairs below threshold", result.Detail, StringComparison.Ordinal);
    }

    private async Task<ModelStatus> AssertRejectedAsync(string package, string reason)
    {
        var before = _rig.Store.Active(Bundled)!.Version;

        var result = await _rig.PushAsync(package);

        _rig.AssertRefused(result, reason, before);
        return result;
    }

    private static void Edit(string package, Action<ZipArchive> edit)
    {
        using var zip = ZipFile.Open(package, ZipArchiveMode.Update);
        edit(zip);
    }
}
