using System.Security.Cryptography;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Tests.Packages;

public sealed class ModelPackageVerifierTests : IDisposable
{
    private readonly PackageFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Verify_BuiltPackage_AcceptsAndExtractsModelAndCanaries()
    {
        var package = _fx.Build();
        var staging = _fx.NewStaging();

        var result = ModelPackageVerifier.Verify(package, _fx.Trust, new PackageLimits(), staging);

        Assert.True(result.IsAccepted, result.Rejection?.ToString());
        var verified = result.Package;
        Assert.Equal(("stpm-r18-synth", "1.1.0", "stpm-maps/1"), (verified.Manifest.Name, verified.Manifest.Version, verified.Manifest.Contract));
        Assert.Equal(_fx.Key.KeyId, verified.KeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(package))), verified.PackageSha256);
        Assert.Equal(_fx.ModelBytes, File.ReadAllBytes(verified.ModelPath));
        Assert.StartsWith(Path.GetFullPath(staging), verified.ModelPath, StringComparison.Ordinal);
        Assert.Equal(["c1_image.png", "c1_template.png"], Directory.GetFiles(verified.CanaryFolder!).Select(Path.GetFileName).Order());
        Assert.Equal(File.ReadAllBytes(Path.Combine(_fx.CanaryFolder, "c1_image.png")), File.ReadAllBytes(Path.Combine(verified.CanaryFolder!, "c1_image.png")));
        Assert.Equal(PackageFixture.ReadEntries(package).Single(e => e.Name == "manifest.json").Bytes, File.ReadAllBytes(verified.ManifestPath));
    }

    [Fact]
    public void Verify_PackageWithoutCanaries_CanaryFolderIsNull()
    {
        var result = _fx.Verify(_fx.Build(canaries: false));

        Assert.True(result.IsAccepted, result.Rejection?.ToString());
        Assert.Null(result.Package.CanaryFolder);
        Assert.Equal(["model.onnx"], result.Package.Manifest.Files.Select(f => f.Path));
    }

    [Fact]
    public void Verify_NoSignatureEntry_Unsigned()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build()).Where(e => e.Name != "manifest.sig");

        AssertRejected(RejectionCode.Unsigned, _fx.Craft(entries));
    }

    [Fact]
    public void Verify_ModelBytesReplacedSameSize_Tampered()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build())
            .Select(e => e.Name == "model.onnx" ? (e.Name, PackageFixture.RandomBytes(e.Bytes.Length, seed: 99)) : e);

        var rejection = AssertRejected(RejectionCode.Tampered, _fx.Craft(entries));
        Assert.Contains("sha256", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ModelBytesTruncated_Tampered()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build()).Select(e => e.Name == "model.onnx" ? (e.Name, e.Bytes[..^1]) : e);

        AssertRejected(RejectionCode.Tampered, _fx.Craft(entries));
    }

    [Fact]
    public void Verify_ExtraUnlistedEntry_Tampered()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build()).Append(("canary/x_image.png", new byte[] { 1, 2, 3 }));

        var rejection = AssertRejected(RejectionCode.Tampered, _fx.Craft(entries));
        Assert.Contains("canary/x_image.png", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ListedCanaryRemoved_Tampered()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build()).Where(e => e.Name != "canary/c1_template.png");

        AssertRejected(RejectionCode.Tampered, _fx.Craft(entries));
    }

    [Fact]
    public void Verify_SignedByKeyNotInTrustList_UntrustedKey()
    {
        using var stranger = SigningKey.Generate();
        var path = _fx.NewPackagePath();
        ModelPackageBuilder.Build(_fx.ModelPath, "stpm-r18-synth", "1.1.0", null, "", "stranger", stranger, path);

        var rejection = AssertRejected(RejectionCode.UntrustedKey, path);
        Assert.Contains(stranger.KeyId, rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TrustedSignatureOverAnotherManifest_BadSignature()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build());
        var manifest = entries.Single(e => e.Name == "manifest.json").Bytes;
        var otherManifest = PackageFixture.Utf8(PackageFixture.Utf8Text(manifest).Replace("\"notes\"", "\"notes\" ", StringComparison.Ordinal));
        var forged = entries.Select(e => e.Name == "manifest.sig" ? (e.Name, PackageFixture.Sign(otherManifest, _fx.Key)) : e);

        AssertRejected(RejectionCode.BadSignature, _fx.Craft(forged));
    }

    [Fact]
    public void Verify_ManifestEditedAfterSigning_BadSignature()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build());
        var edited = entries.Select(e => e.Name == "manifest.json"
            ? (e.Name, PackageFixture.Utf8(PackageFixture.Utf8Text(e.Bytes).Replace("1.1.0", "9.9.9", StringComparison.Ordinal)))
            : e);

        AssertRejected(RejectionCode.BadSignature, _fx.Craft(edited));
    }

    [Fact]
    public void Verify_SignatureNotBase64_BadSignature()
    {
        var entries = PackageFixture.ReadEntries(_fx.Build()).Select(e => e.Name == "manifest.sig"
            ? (e.Name, PackageFixture.Utf8($$"""{"keyId":"{{_fx.Key.KeyId}}","algorithm":"ECDSA-P256-SHA256","signature":"%%%"}"""))
            : e);

        AssertRejected(RejectionCode.BadSignature, _fx.Craft(entries));
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("canary/../../evil")]
    [InlineData("/abs")]
    [InlineData("/tmp/edgeagent-evil")]
    [InlineData("..\\evil")]
    [InlineData("C:evil")]
    [InlineData("a\0b")]
    [InlineData("canary/é_image.png")]
    [InlineData("canary//x_image.png")]
    [InlineData("canary/")]
    public void Verify_UnsafeEntryName_PathTraversalAndNothingWritten(string entryName)
    {
        var manifest = PackageFixture.ManifestFor("m", "1", ("model.onnx", _fx.ModelBytes), (entryName, [1, 2, 3]));
        var package = _fx.CraftSigned(manifest, ("model.onnx", _fx.ModelBytes), (entryName, [1, 2, 3]));
        var staging = Path.Combine(_fx.Root, "deep", "er", "staging");

        AssertRejected(RejectionCode.PathTraversal, package, staging: staging);

        Assert.Empty(_fx.FilesOutsideLab());
        Assert.False(File.Exists("/abs"));
        Assert.False(File.Exists("/tmp/edgeagent-evil"));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void Verify_UnsafeNameInUnsignedPackage_PathTraversalComesBeforeSignature() =>
        AssertRejected(RejectionCode.PathTraversal, _fx.Craft([("model.onnx", [1]), ("../evil", [2])]));

    [Fact]
    public void Verify_HighlyCompressibleEntryOverEntryLimit_OversizedBeforeExtracting()
    {
        var bomb = new byte[8 * 1024 * 1024];
        var manifest = PackageFixture.ManifestFor("m", "1", ("model.onnx", bomb));
        var package = _fx.CraftSigned(manifest, ("model.onnx", bomb));
        Assert.True(new FileInfo(package).Length < 64 * 1024, "the bomb should be small on disk");
        var staging = _fx.NewStaging();

        var rejection = AssertRejected(RejectionCode.Oversized, package, new PackageLimits { MaxEntryBytes = 1024 * 1024 }, staging);

        Assert.Contains("limit", rejection.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void Verify_CompressionRatioOver200UnderEntryLimit_Oversized()
    {
        var bomb = new byte[8 * 1024 * 1024];
        var package = _fx.CraftSigned(PackageFixture.ManifestFor("m", "1", ("model.onnx", bomb)), ("model.onnx", bomb));

        var rejection = AssertRejected(RejectionCode.Oversized, package);

        Assert.Contains("200:1", rejection.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SmallCompressibleEntry_ExemptFromRatioRule()
    {
        var zeros = new byte[64 * 1024];
        var package = _fx.CraftSigned(PackageFixture.ManifestFor("m", "1", ("model.onnx", zeros)), ("model.onnx", zeros));

        Assert.True(_fx.Verify(package).IsAccepted);
    }

    [Fact]
    public void Verify_PackageFileOverLimit_Oversized() =>
        AssertRejected(RejectionCode.Oversized, _fx.Build(), new PackageLimits { MaxPackageBytes = 1024 });

    [Fact]
    public void Verify_MoreEntriesThanLimit_Oversized() =>
        AssertRejected(RejectionCode.Oversized, _fx.Build(), new PackageLimits { MaxEntries = 3 });

    [Fact]
    public void Verify_ManifestOverItsLimit_Oversized() =>
        AssertRejected(RejectionCode.Oversized, _fx.Build(), new PackageLimits { MaxManifestBytes = 100 });

    [Fact]
    public void Verify_NotAZip_Malformed()
    {
        var path = _fx.NewPackagePath();
        File.WriteAllBytes(path, PackageFixture.RandomBytes(5000, seed: 4));

        AssertRejected(RejectionCode.Malformed, path);
    }

    [Fact]
    public void Verify_EmptyFile_Malformed()
    {
        var path = _fx.NewPackagePath();
        File.WriteAllBytes(path, []);

        AssertRejected(RejectionCode.Malformed, path);
    }

    [Fact]
    public void Verify_MissingFile_Malformed() => AssertRejected(RejectionCode.Malformed, _fx.NewPackagePath());

    [Fact]
    public void Verify_NoManifest_Malformed() =>
        AssertRejected(RejectionCode.Malformed, _fx.Craft(PackageFixture.ReadEntries(_fx.Build()).Where(e => e.Name != "manifest.json")));

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("""{"format":"edgeagent-model/1","name":"m"}""")]
    [InlineData("""{"format":"edgeagent-model/2","name":"m","version":"1","contract":"c","createdAt":"2026-01-01T00:00:00Z","createdBy":"","notes":"","files":[]}""")]
    [InlineData("""{"format":"edgeagent-model/1","name":"Bad Name","version":"1","contract":"c","createdAt":"2026-01-01T00:00:00Z","createdBy":"","notes":"","files":[]}""")]
    [InlineData("""{"format":"edgeagent-model/1","name":"m","version":"..","contract":"c","createdAt":"2026-01-01T00:00:00Z","createdBy":"","notes":"","files":[]}""")]
    [InlineData("""{"format":"edgeagent-model/1","name":"m","version":"1","contract":"c","createdAt":"2026-01-01T00:00:00Z","createdBy":"","notes":"","files":[null]}""")]
    [InlineData("""{"format":"edgeagent-model/1","name":"m","version":"1","contract":"c","createdAt":"2026-01-01T00:00:00Z","createdBy":"","notes":"","files":[]}""")]
    public void Verify_BadManifestSignedByTrustedKey_Malformed(string manifestJson) =>
        AssertRejected(RejectionCode.Malformed, _fx.CraftSigned(PackageFixture.Utf8(manifestJson)));

    [Fact]
    public void Verify_UnpairedCanary_Malformed()
    {
        (string, byte[])[] payload = [("model.onnx", _fx.ModelBytes), ("canary/a_image.png", [1])];

        AssertRejected(RejectionCode.Malformed, _fx.CraftSigned(PackageFixture.ManifestFor("m", "1", payload), payload));
    }

    [Fact]
    public void Verify_NonEmptyStaging_Throws()
    {
        var staging = Directory.CreateDirectory(_fx.NewStaging()).FullName;
        File.WriteAllText(Path.Combine(staging, "someone-elses"), "x");

        Assert.Throws<ArgumentException>(() => _fx.Verify(_fx.Build(), staging: staging));
    }

    [Fact]
    public void Verify_RejectedIntoExistingEmptyStaging_LeavesItEmpty()
    {
        var staging = Directory.CreateDirectory(_fx.NewStaging()).FullName;
        var entries = PackageFixture.ReadEntries(_fx.Build()).Select(e => e.Name == "canary/c1_template.png" ? (e.Name, new byte[200]) : e);

        AssertRejected(RejectionCode.Tampered, _fx.Craft(entries), staging: staging);

        Assert.True(Directory.Exists(staging));
        Assert.Empty(Directory.GetFileSystemEntries(staging));
    }

    private PackageRejection AssertRejected(string code, string package, PackageLimits? limits = null, string? staging = null)
    {
        var result = _fx.Verify(package, limits, staging);
        Assert.False(result.IsAccepted, "the package was accepted");
        Assert.Equal(code, result.Rejection.Code);
        return result.Rejection;
    }
}
