using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Tests.Packages;

/// <summary>A temp folder with a trusted key, a fake model, canary pairs, and helpers to build or forge packages.</summary>
internal sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = Directory.CreateTempSubdirectory("edgeagent-models-").FullName;
        Key = SigningKey.Generate();
        Trust = new TrustList([TrustedKey.FromPem(Key.PublicKeyPem, "test")]);
        ModelPath = Path.Combine(Root, "lab", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(ModelPath)!);
        ModelBytes = RandomBytes(4096, seed: 1);
        File.WriteAllBytes(ModelPath, ModelBytes);
        CanaryFolder = Directory.CreateDirectory(Path.Combine(Root, "lab", "canary")).FullName;
        File.WriteAllBytes(Path.Combine(CanaryFolder, "c1_image.png"), RandomBytes(300, seed: 2));
        File.WriteAllBytes(Path.Combine(CanaryFolder, "c1_template.png"), RandomBytes(200, seed: 3));
        File.WriteAllText(Path.Combine(CanaryFolder, "readme.txt"), "not part of the package");
    }

    public string Root { get; }

    public SigningKey Key { get; }

    public TrustList Trust { get; }

    public string ModelPath { get; }

    public byte[] ModelBytes { get; }

    public string CanaryFolder { get; }

    /// <summary>A fresh, not yet existing staging folder.</summary>
    public string NewStaging() => Path.Combine(Root, "staging", Guid.NewGuid().ToString("N"));

    /// <summary>A path for a new package file.</summary>
    public string NewPackagePath() => Path.Combine(Root, $"{Guid.NewGuid():N}.eamodel");

    public string Build(string version = "1.1.0", bool canaries = true, string name = "stpm-r18-synth", string? modelPath = null)
    {
        var path = NewPackagePath();
        ModelPackageBuilder.Build(modelPath ?? ModelPath, name, version, canaries ? CanaryFolder : null, "notes", "tester", Key, path);
        return path;
    }

    public PackageVerification Verify(string packagePath, PackageLimits? limits = null, string? staging = null) =>
        ModelPackageVerifier.Verify(packagePath, Trust, limits ?? new PackageLimits(), staging ?? NewStaging());

    /// <summary>A verified package ready for the store.</summary>
    public VerifiedPackage Verified(string version, byte[]? model = null)
    {
        var modelPath = ModelPath;
        if (model is not null)
        {
            modelPath = Path.Combine(Root, "lab", $"model-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(modelPath, model);
        }

        var result = Verify(Build(version, modelPath: modelPath));
        Assert.True(result.IsAccepted, result.Rejection?.ToString());
        return result.Package;
    }

    /// <summary>The entries of a package, by name, in order.</summary>
    public static List<(string Name, byte[] Bytes)> ReadEntries(string packagePath)
    {
        using var zip = ZipFile.OpenRead(packagePath);
        return [.. zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        })];
    }

    /// <summary>Writes a zip with exactly these entries (names are not checked: that is the point).</summary>
    public string Craft(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        var path = NewPackagePath();
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
            stream.Write(bytes);
        }

        return path;
    }

    /// <summary>A <c>manifest.sig</c> by <paramref name="key"/> over <paramref name="manifest"/>.</summary>
    public static byte[] Sign(byte[] manifest, SigningKey key) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ManifestSignature(key.KeyId, ManifestSignature.EcdsaP256Sha256, Convert.ToBase64String(key.Sign(manifest))),
            ModelJsonContext.Default.ManifestSignature);

    /// <summary>A correctly signed package whose manifest is <paramref name="manifest"/> and payload <paramref name="payload"/>.</summary>
    public string CraftSigned(byte[] manifest, params (string Name, byte[] Bytes)[] payload) =>
        Craft([("manifest.json", manifest), ("manifest.sig", Sign(manifest, Key)), .. payload]);

    /// <summary>Manifest bytes listing <paramref name="payload"/> with their real sizes and hashes.</summary>
    public static byte[] ManifestFor(string name, string version, params (string Name, byte[] Bytes)[] payload) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ModelManifest
            {
                Format = ModelManifest.CurrentFormat,
                Name = name,
                Version = version,
                Contract = ModelManifest.StpmContract,
                CreatedAt = DateTimeOffset.UnixEpoch,
                CreatedBy = "forger",
                Notes = "",
                Files = [.. payload.Select(p => new ManifestFile(p.Name, p.Bytes.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(p.Bytes))))],
            },
            ModelJsonContext.Default.ModelManifest);

    /// <summary>Every file under <see cref="Root"/> except the lab inputs and package files.</summary>
    public List<string> FilesOutsideLab() =>
        [.. Directory.GetFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(Root, "lab"), StringComparison.Ordinal) && !f.EndsWith(".eamodel", StringComparison.Ordinal))];

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Utf8Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public void Dispose()
    {
        Key.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
