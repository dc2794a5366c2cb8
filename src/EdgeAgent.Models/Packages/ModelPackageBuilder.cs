using EdgeAgent.Models.Store;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeAgent.Models.Packages;

/// <summary>Builds a signed <c>.eamodel</c> package on the technician's machine.</summary>
public static class ModelPackageBuilder
{
    /// <summary>
    /// Writes a package of <paramref name="onnxPath"/> and the canary pairs of <paramref name="canaryFolder"/>
    /// (its <c>*_image.png</c> / <c>*_template.png</c>, each id with both), signed with <paramref name="key"/>.
    /// The file appears at <paramref name="outputPath"/> only once complete.
    /// </summary>
    /// <returns>The manifest that was signed.</returns>
    /// <exception cref="ArgumentException">Bad name or version, or canary files that do not pair up or have unsafe names.</exception>
    public static ModelManifest Build(
        string onnxPath,
        string name,
        string version,
        string? canaryFolder,
        string notes,
        string createdBy,
        SigningKey key,
        string outputPath,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!ModelNaming.IsValidName(name) || !ModelNaming.IsValidVersion(version))
        {
            throw new ArgumentException($"'{name}' '{version}' breaks the model naming rule");
        }

        var payload = new List<(string Entry, string Source)> { (PackageLayout.ModelEntry, onnxPath) };
        payload.AddRange(CanaryFiles(canaryFolder));
        if (PackageLayout.CheckPayload(payload.Select(p => p.Entry)) is { } problem)
        {
            throw new ArgumentException($"canary folder {canaryFolder}: {problem}", nameof(canaryFolder));
        }

        var manifest = new ModelManifest
        {
            Format = ModelManifest.CurrentFormat,
            Name = name,
            Version = version,
            Contract = ModelManifest.StpmContract,
            CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
            CreatedBy = createdBy,
            Notes = notes,
            Files = [.. payload.Select(p => Describe(p.Entry, p.Source))],
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ModelJsonContext.Default.ModelManifest);
        var signature = new ManifestSignature(key.KeyId, ManifestSignature.EcdsaP256Sha256, Convert.ToBase64String(key.Sign(manifestBytes)));

        var temp = outputPath + ".tmp";
        using (var zip = new ZipArchive(new FileStream(temp, FileMode.Create, FileAccess.ReadWrite), ZipArchiveMode.Create))
        {
            Add(zip, PackageLayout.ManifestEntry, manifestBytes);
            Add(zip, PackageLayout.SignatureEntry, JsonSerializer.SerializeToUtf8Bytes(signature, ModelJsonContext.Default.ManifestSignature));
            foreach (var (entry, source) in payload)
            {
                // PNGs are already deflated; compressing them again only costs time.
                var level = entry == PackageLayout.ModelEntry ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
                zip.CreateEntryFromFile(source, entry, level);
            }
        }

        File.Move(temp, outputPath, overwrite: true);
        return manifest;
    }

    private static IEnumerable<(string Entry, string Source)> CanaryFiles(string? canaryFolder)
    {
        if (canaryFolder is null)
        {
            return [];
        }

        var files = Directory.GetFiles(canaryFolder, "*_image.png")
            .Concat(Directory.GetFiles(canaryFolder, "*_template.png"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Entry: $"{PackageLayout.CanaryFolder}/{Path.GetFileName(f)}", Source: f))
            .ToList();
        var unsafeName = files.FirstOrDefault(f => !ModelNaming.IsSafeEntryName(f.Entry));
        return unsafeName.Entry is null
            ? files
            : throw new ArgumentException($"canary file name {unsafeName.Source} has characters outside [A-Za-z0-9._-]", nameof(canaryFolder));
    }

    private static ManifestFile Describe(string entry, string source)
    {
        using var stream = File.OpenRead(source);
        return new ManifestFile(entry, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static void Add(ZipArchive zip, string entryName, byte[] bytes)
    {
        using var stream = zip.CreateEntry(entryName, CompressionLevel.Optimal).Open();
        stream.Write(bytes);
    }
}
