using System.IO.Compression;
using EdgeAgent.Host.Inspect;
using EdgeAgent.Host.Models;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Models;

/// <summary>
/// Packages from a technician's hands to active service, or refused with a reason while the model in service
/// keeps judging: real signed packages, the real store, the real bundled model and a real canary.
/// </summary>
public sealed class ModelActivationTests : IDisposable
{
    private const string Bundled = "stpm-r18-synth";
    private static readonly InferenceOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu };
    private readonly TempFolder _temp = new("edgeagent-activation-");
    private readonly SigningKey _technician = SigningKey.Generate();
    private readonly SigningKey _stranger = SigningKey.Generate();
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly VerdictLog _log;
    private readonly ModelActivation _activation;
    private readonly string _data;

    public ModelActivationTests()
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
        _activation = new ModelActivation(_store, _active, trust, new ModelsOptions(), Cpu, factory, _log, _data, "default", TimeProvider.System, NullLogger.Instance);
    }

    [Fact]
    public void Install_SignedPackageThatPassesTheCanary_ActivatesAndIsAudited()
    {
        var result = _activation.Install(Package(RepoPaths.DefaultModel, "1.1.0", _technician));

        Assert.True(result.Activated, result.Detail);
        Assert.Equal("1.1.0", _store.Active(Bundled)?.Version);
        Assert.Equal("1.1.0", _active.Snapshot()[Bundled].Version);
        var audit = _log.AuditTrail(10);
        Assert.Equal(["activated", "pushed"], audit.Select(a => a.Action));
        Assert.Equal(_technician.KeyId, audit[0].Actor);
        Assert.Contains("OK pairs below threshold 4/4", audit[0].Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data, "incoming")) && Directory.EnumerateFileSystemEntries(Path.Combine(_data, "incoming")).Any());
    }

    [Fact]
    public void Install_SignedByAKeyNotTrusted_RejectedAndTheOldModelStays() =>
        AssertRejected(Package(RepoPaths.DefaultModel, "1.1.0", _stranger), RejectionCode.UntrustedKey);

    [Fact]
    public void Install_Unsigned_RejectedAndTheOldModelStays()
    {
        var package = Package(RepoPaths.DefaultModel, "1.1.0", _technician);
        Edit(package, zip => zip.GetEntry(PackageLayout.SignatureEntry)!.Delete());

        AssertRejected(package, RejectionCode.Unsigned);
    }

    [Fact]
    public void Install_ModelBytesChangedAfterSigning_RejectedAsTampered()
    {
        var package = Package(RepoPaths.DefaultModel, "1.1.0", _technician);
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

        AssertRejected(package, RejectionCode.Tampered);
    }

    [Fact]
    public void Install_EntryThatClimbsOutOfTheStaging_RejectedAsPathTraversal()
    {
        var package = Package(RepoPaths.DefaultModel, "1.1.0", _technician);
        Edit(package, zip =>
        {
            using var evil = zip.CreateEntry("../../evil.sh").Open();
            evil.Write("rm -rf /"u8);
        });

        AssertRejected(package, RejectionCode.PathTraversal);
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "evil.sh", SearchOption.AllDirectories));
    }

    [Fact]
    public void Install_FileThatIsNotAnStpmModel_RejectedAsWrongContract()
    {
        var fake = Path.Combine(_temp.Path, "fake.onnx");
        File.WriteAllBytes(fake, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        AssertRejected(Package(fake, "1.1.0", _technician), ModelActivation.WrongContract);
    }

    [Fact]
    public void Install_ModelThatFailsTheCanary_RejectedWithTheNumbers()
    {
        // The contract-test model crops 320 px: the box's 300 px canary pairs are ERROR TOO_SMALL for it, so it cannot pass.
        var result = AssertRejected(Package(RepoPaths.SmallModel, "2.0.0", _technician), ModelActivation.CanaryFailed);

        Assert.Contains("OK pairs below threshold", result.Detail, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _active.Dispose();
        _log.Dispose();
        _technician.Dispose();
        _stranger.Dispose();
        _temp.Dispose();
    }

    private ActivationResult AssertRejected(string package, string reason)
    {
        var before = _store.Active(Bundled)!.Version;

        var result = _activation.Install(package);

        Assert.Equal(("rejected", reason), (result.State, result.Reason));
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
