using EdgeAgent.Host.Cli;
using EdgeAgent.Models.Activation;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Testing;

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

    [Fact]
    public void Sign_CanaryFolderWithProductSubFolders_EveryPairPackedWithItsProductAndTheBoxJudgesItSo()
    {
        // The box's canary layout: <product>/<id>_image.<ext> beside <id>_template.<ext>; a pair directly in the
        // folder is the default product's; an image without its template is left out, as the box leaves it out.
        var canary = _temp.Sub("canary");
        Pair(Path.Combine(canary, "UBM"), "A", "png");
        Pair(Path.Combine(canary, "M1"), "B", "bmp");
        Pair(canary, "C", "png");
        File.WriteAllBytes(Path.Combine(canary, "UBM", "LONE_image.png"), [1]);
        var prefix = Path.Combine(_temp.Path, "tech");
        var package = Path.Combine(_temp.Path, "m.eamodel");
        AgentProcess.Run("models", "keygen", "--out", prefix);

        var (code, stdout, stderr) = AgentProcess.Run("models", "sign", "--model", RepoPaths.DefaultModel, "--key", prefix + ".key", "--out", package, "--canary", canary);

        Assert.True(code == 0, stderr);
        Assert.Contains("(3 canary pair(s))", stdout, StringComparison.Ordinal);
        var verification = ModelPackageVerifier.Verify(package, TrustList.Load(null, [prefix + ".pub"]), new PackageLimits(), Path.Combine(_temp.Path, "staging"));
        Assert.True(verification.IsAccepted, verification.Rejection?.ToString());
        var stored = new ModelStore(_temp.Sub("store"), keepPrevious: 1).Install(verification.Package!);
        var judged = CanaryCheck.Find("default", stored.CanaryFolder).Select(p => (p.PairId, p.Product)).Order().ToList();
        Assert.Equal([("A", "UBM"), ("B", "M1"), ("C", "default")], judged);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sign_CanaryFolderWithoutAPair_RefusedNamingTheFolder(bool loneImage)
    {
        var canary = _temp.Sub("canary");
        if (loneImage)
        {
            Directory.CreateDirectory(Path.Combine(canary, "UBM"));
            File.WriteAllBytes(Path.Combine(canary, "UBM", "A_image.png"), [1]); // no template: not a pair
        }

        var prefix = Path.Combine(_temp.Path, "tech");
        var package = Path.Combine(_temp.Path, "m.eamodel");
        AgentProcess.Run("models", "keygen", "--out", prefix);

        var (code, _, stderr) = AgentProcess.Run("models", "sign", "--model", RepoPaths.DefaultModel, "--key", prefix + ".key", "--out", package, "--canary", canary);

        Assert.Equal(Verbs.UsageError, code);
        Assert.Contains($"--canary {canary}: no canary pair found", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(package));
    }

    [Fact]
    public void CheckPayload_ProductFolderAndDeeperFolder_OnlyTheBoxsLayoutAccepted()
    {
        Assert.Null(PackageLayout.CheckPayload(["model.onnx", "canary/UBM/A_image.bmp", "canary/UBM/A_template.bmp", "canary/B_image.png", "canary/B_template.png"]));
        Assert.NotNull(PackageLayout.CheckPayload(["model.onnx", "canary/UBM/x/A_image.png", "canary/UBM/x/A_template.png"]));
        Assert.NotNull(PackageLayout.CheckPayload(["model.onnx", "canary/UBM/A_image.png", "canary/M1/A_template.png"]));
        Assert.NotNull(PackageLayout.CheckPayload(["model.onnx", "canary/UBM/notes.txt"]));
    }

    public void Dispose() => _temp.Dispose();

    private static void Pair(string folder, string id, string extension)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{id}_image.{extension}"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(folder, $"{id}_template.{extension}"), [4, 5, 6]);
    }
}
