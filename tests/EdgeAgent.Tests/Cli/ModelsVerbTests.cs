using EdgeAgent.Models.Store;
using EdgeAgent.Models.Packages;
using EdgeAgent.Testing;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Cli;

/// <summary>The technician's signing workflow as real processes: keygen, sign, and what a box then makes of the package.</summary>
[Trait("Category", "Integration")]
public sealed class ModelsVerbTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void KeygenThenSign_PackageVerifiesAgainstThePublicKeyWithTheModelsMetadataName()
    {
        var prefix = Path.Combine(_temp.Path, "tech");
        var package = Path.Combine(_temp.Path, "m.eamodel");

        Assert.Equal(0, AgentProcess.Run("models", "keygen", "--out", prefix).ExitCode);
        var (code, stdout, stderr) = AgentProcess.Run("models", "sign", "--model", RepoPaths.DefaultModel, "--key", prefix + ".key", "--out", package, "--version", "1.1.0");

        Assert.True(code == 0, stderr);
        var verification = ModelPackageVerifier.Verify(package, TrustList.Load(null, [prefix + ".pub"]), new PackageLimits(), Path.Combine(_temp.Path, "staging"));
        Assert.True(verification.IsAccepted, verification.Rejection?.ToString());
        Assert.Equal(("stpm-r18-synth", "1.1.0"), (verification.Package.Manifest.Name, verification.Package.Manifest.Version));
        Assert.Contains(verification.Package.KeyId, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_FileThatBreaksTheContract_RefusedBeforeAnythingIsSigned()
    {
        var prefix = Path.Combine(_temp.Path, "tech");
        var notAModel = Path.Combine(_temp.Path, "bad.onnx");
        File.WriteAllText(notAModel, "not onnx");
        AgentProcess.Run("models", "keygen", "--out", prefix);

        var (code, _, stderr) = AgentProcess.Run("models", "sign", "--model", notAModel, "--key", prefix + ".key", "--out", Path.Combine(_temp.Path, "m.eamodel"));

        Assert.Equal(78, code);
        Assert.Contains("cannot be loaded", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "m.eamodel")));
    }

    [Fact]
    public void List_StoreWithTwoVersions_MarksActiveAndPrevious()
    {
        var data = _temp.Sub("data");
        var store = new ModelStore(Path.Combine(data, "models"), keepPrevious: 2);
        store.ImportLocal(RepoPaths.DefaultModel, "stpm-r18-synth", "1.0.0");
        store.Activate("stpm-r18-synth", "1.0.0");
        store.ImportLocal(RepoPaths.DefaultModel, "stpm-r18-synth", "1.1.0");
        store.Activate("stpm-r18-synth", "1.1.0");

        var (code, stdout, _) = AgentProcess.Run("models", "list", "--data-dir", data);

        Assert.Equal(0, code);
        Assert.Matches(@"stpm-r18-synth\s+1\.1\.0\s+active", stdout);
        Assert.Matches(@"stpm-r18-synth\s+1\.0\.0\s+previous", stdout);
    }

    public void Dispose() => _temp.Dispose();
}
