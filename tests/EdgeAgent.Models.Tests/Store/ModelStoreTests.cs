using System.Security.Cryptography;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Models.Tests.Packages;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Models.Tests.Store;

public sealed class ModelStoreTests : IDisposable
{
    private readonly PackageFixture _fx = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _folder;

    public ModelStoreTests() => _folder = Path.Combine(_fx.Root, "store");

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Install_VerifiedPackage_CopiesModelManifestSignatureAndCanaries()
    {
        var store = Open();
        var package = _fx.Verified("1.1.0");

        var stored = store.Install(package);

        Assert.Equal(Path.Combine(_folder, "stpm-r18-synth", "1.1.0", "model.onnx"), stored.ModelPath);
        Assert.Equal(_fx.ModelBytes, File.ReadAllBytes(stored.ModelPath));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_fx.ModelBytes)), stored.Sha256);
        Assert.Equal(_fx.Key.KeyId, stored.KeyId);
        Assert.Equal(_time.GetUtcNow(), stored.InstalledAt);
        Assert.Equal(File.ReadAllBytes(package.ManifestPath), File.ReadAllBytes(Path.Combine(_folder, "stpm-r18-synth", "1.1.0", "manifest.json")));
        Assert.True(File.Exists(Path.Combine(_folder, "stpm-r18-synth", "1.1.0", "manifest.sig")));
        Assert.Equal(["c1_image.png", "c1_template.png"], Directory.GetFiles(stored.CanaryFolder!).Select(Path.GetFileName).Order());
        Assert.Null(store.Active("stpm-r18-synth"));
        Assert.Equal(["stpm-r18-synth"], store.Names());
    }

    [Fact]
    public void Install_SameVersionSameModelTwice_ReturnsTheStoredOne()
    {
        var store = Open();
        var first = store.Install(_fx.Verified("1.0.0"));
        _time.Advance(TimeSpan.FromHours(1));

        var again = store.Install(_fx.Verified("1.0.0"));

        // Manifest holds a list, compared by reference; everything else must be the first install's.
        Assert.Equal(first with { Manifest = again.Manifest }, again);
        Assert.Equal(first.Manifest.CreatedAt, again.Manifest.CreatedAt);
        Assert.Single(store.Versions("stpm-r18-synth"));
    }

    [Fact]
    public void Install_SameVersionDifferentModel_RefusedAndOriginalKept()
    {
        var store = Open();
        var first = store.Install(_fx.Verified("1.0.0"));

        var conflict = Assert.Throws<ModelVersionConflictException>(() => store.Install(_fx.Verified("1.0.0", PackageFixture.RandomBytes(100, seed: 7))));

        Assert.Equal(first.Sha256, conflict.InstalledSha256);
        Assert.Equal(_fx.ModelBytes, File.ReadAllBytes(first.ModelPath));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_folder, ".staging")));
    }

    [Fact]
    public void Install_StagedModelChangedAfterVerification_RefusedAndNothingInstalled()
    {
        var store = Open();
        var package = _fx.Verified("1.0.0");
        File.WriteAllBytes(package.ModelPath, PackageFixture.RandomBytes(_fx.ModelBytes.Length, seed: 8));

        Assert.Throws<InvalidDataException>(() => store.Install(package));

        Assert.Empty(store.Versions("stpm-r18-synth"));
        Assert.False(Directory.Exists(Path.Combine(_folder, "stpm-r18-synth", "1.0.0")));
    }

    [Fact]
    public void ImportLocal_BundledModel_StoredWithLocalKeyAndSynthesisedManifest()
    {
        var store = Open();

        var stored = store.ImportLocal(_fx.ModelPath, "bundled", "0.1.0");

        Assert.Equal(ModelStore.LocalKeyId, stored.KeyId);
        Assert.Null(stored.CanaryFolder);
        Assert.Equal(ModelManifest.CurrentFormat, stored.Manifest.Format);
        Assert.Equal(stored.Sha256, stored.Manifest.Files.Single().Sha256);
        Assert.False(File.Exists(Path.Combine(_folder, "bundled", "0.1.0", "manifest.sig")));
    }

    [Theory]
    [InlineData("Bad", "1")]
    [InlineData("ok", "..")]
    [InlineData("ok", "a/b")]
    public void ImportLocal_BadNameOrVersion_Throws(string name, string version) =>
        Assert.Throws<ArgumentException>(() => Open().ImportLocal(_fx.ModelPath, name, version));

    [Fact]
    public void Activate_ThreeVersions_ActiveAndPreviousFollowTheActivations()
    {
        var store = Open();
        InstallLocal(store, "1", "2", "3");

        store.Activate("m", "1");
        store.Activate("m", "3");
        store.Activate("m", "2");

        Assert.Equal("2", store.Active("m")!.Version);
        Assert.Equal("3", store.Previous("m")!.Version);
    }

    [Fact]
    public void Activate_VersionNotInstalled_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Open().Activate("m", "9"));

    [Fact]
    public void Rollback_Twice_StepsBackThroughTheHistoryThenStops()
    {
        var store = Open();
        InstallLocal(store, "1", "2", "3");
        store.Activate("m", "1");
        store.Activate("m", "2");
        store.Activate("m", "3");

        Assert.Equal("2", store.Rollback("m")!.Version);
        Assert.Equal("2", store.Active("m")!.Version);
        Assert.Equal("1", store.Rollback("m")!.Version);
        Assert.Null(store.Rollback("m"));
        Assert.Equal("1", store.Active("m")!.Version);
    }

    [Fact]
    public void Rollback_NothingActivated_Null()
    {
        var store = Open();
        InstallLocal(store, "1");

        Assert.Null(store.Rollback("m"));
        Assert.Null(store.Previous("unknown"));
    }

    [Fact]
    public void Activate_EachNewVersion_KeepsActivePlusKeepPreviousNewest()
    {
        var store = Open(keepPrevious: 1);
        foreach (var version in new[] { "1", "2", "3" })
        {
            InstallLocal(store, version);
            store.Activate("m", version);
        }

        Assert.Equal(["2", "3"], Versions(store));

        InstallLocal(store, "4");
        store.Activate("m", "4");
        Assert.Equal(["3", "4"], Versions(store));
        Assert.Equal("3", store.Rollback("m")!.Version);
        Assert.Null(store.Previous("m"));
    }

    [Fact]
    public void Install_RollbackTargetIsTheOldest_KeptWhileANewerInactiveVersionIsPruned()
    {
        var store = Open(keepPrevious: 1);
        InstallLocal(store, "1");
        store.Activate("m", "1");
        InstallLocal(store, "2");
        store.Activate("m", "2");

        InstallLocal(store, "3", "4");

        Assert.Equal(["1", "2", "4"], Versions(store));
        Assert.Equal("1", store.Rollback("m")!.Version);
    }

    [Fact]
    public void Install_NewVersionWithKeepZero_KeepsItUntilActivatedAndPrunesOthers()
    {
        var store = Open(keepPrevious: 0);
        InstallLocal(store, "1");
        store.Activate("m", "1");
        InstallLocal(store, "2");
        Assert.Equal(["1", "2"], Versions(store));

        InstallLocal(store, "3");
        Assert.Equal(["1", "3"], Versions(store));

        store.Activate("m", "3");
        Assert.Equal(["1", "3"], Versions(store));
        Assert.Equal("1", store.Rollback("m")!.Version);
    }

    [Fact]
    public void Reopen_AfterActivations_StateSurvives()
    {
        var store = Open();
        InstallLocal(store, "1", "2");
        store.Activate("m", "1");
        store.Activate("m", "2");

        var reopened = Open();

        Assert.Null(reopened.Recovery);
        Assert.Equal("2", reopened.Active("m")!.Version);
        Assert.Equal("1", reopened.Previous("m")!.Version);
        Assert.False(File.Exists(Path.Combine(_folder, "store.json.tmp")));
    }

    [Theory]
    [InlineData("{ \"models\": { \"m\": ")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\u0000\u0001garbage")]
    [InlineData("""{"format":"edgeagent-store/9","models":{}}""")]
    [InlineData("""{"format":"edgeagent-store/1","models":null}""")]
    [InlineData("""{"format":"edgeagent-store/1","models":{"m":null}}""")]
    [InlineData("""{"format":"edgeagent-store/1","models":{"m":{"active":"2","history":null}}}""")]
    public void Open_DamagedStoreJson_RebuildsFromFoldersWithNothingActive(string damaged)
    {
        var store = Open();
        InstallLocal(store, "1", "2");
        store.Activate("m", "2");
        File.WriteAllText(Path.Combine(_folder, "store.json"), damaged);

        var reopened = Open();

        Assert.NotNull(reopened.Recovery);
        Assert.Null(reopened.Active("m"));
        Assert.Equal(["1", "2"], Versions(reopened));
        Assert.True(File.Exists(Path.Combine(_folder, "store.json.damaged")));
        Assert.Equal("2", reopened.Activate("m", "2").Version);
        Assert.Null(Open().Recovery);
    }

    [Fact]
    public void Open_ActiveVersionFolderDeletedByHand_NothingActiveAndReported()
    {
        var store = Open();
        InstallLocal(store, "1", "2");
        store.Activate("m", "1");
        store.Activate("m", "2");
        Directory.Delete(Path.Combine(_folder, "m", "2"), recursive: true);

        var reopened = Open();

        Assert.Contains("m 2", reopened.Recovery, StringComparison.Ordinal);
        Assert.Null(reopened.Active("m"));
        Assert.Equal("1", reopened.Previous("m")!.Version);
    }

    [Fact]
    public void Open_LeftoverStagingFromACrash_IsRemovedAndNotListed()
    {
        Open();
        var leftover = Directory.CreateDirectory(Path.Combine(_folder, ".staging", "half")).FullName;
        File.WriteAllText(Path.Combine(leftover, "model.onnx"), "half written");

        var store = Open();

        Assert.False(Directory.Exists(leftover));
        Assert.Empty(store.Names());
    }

    [Fact]
    public void Versions_FolderWithoutInstallRecord_Ignored()
    {
        var store = Open();
        InstallLocal(store, "1");
        Directory.CreateDirectory(Path.Combine(_folder, "m", "2"));

        Assert.Equal(["1"], Versions(store));
    }

    private ModelStore Open(int keepPrevious = 5) => new(_folder, keepPrevious, time: _time);

    private void InstallLocal(ModelStore store, params string[] versions)
    {
        foreach (var version in versions)
        {
            store.ImportLocal(_fx.ModelPath, "m", version);
            _time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    private static string[] Versions(ModelStore store) => [.. store.Versions("m").Select(m => m.Version)];
}
