using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Models.Store;

namespace EdgeAgent.Models.Packages;

/// <summary>Builds a signed <c>.eamodel</c> package on the technician's machine.</summary>
public static class ModelPackageBuilder
{
    /// <summary>
    /// Writes a package of <paramref name="onnxPath"/> and the canary pairs of <paramref name="canaryFolder"/>
    /// (see <see cref="CanaryPairs"/>; a folder with none is refused), signed with <paramref name="key"/>.
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

    /// <summary>
    /// The manifest of a package on the technician's machine, read without checking the signature (the box does that):
    /// the push's downgrade intent names the model and version it carries.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a package: no readable manifest.</exception>
    public static ModelManifest ReadManifest(string packagePath)
    {
        using var zip = ZipFile.OpenRead(packagePath);
        var entry = zip.GetEntry(PackageLayout.ManifestEntry) ?? throw new InvalidDataException($"{packagePath} has no {PackageLayout.ManifestEntry}");
        using var stream = entry.Open();
        try
        {
            return JsonSerializer.Deserialize(stream, ModelJsonContext.Default.ModelManifest)
                ?? throw new InvalidDataException($"{packagePath}: empty {PackageLayout.ManifestEntry}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{packagePath}: {PackageLayout.ManifestEntry} is not a manifest: {e.Message}", e);
        }
    }

    /// <summary>
    /// The canary pairs under <paramref name="canaryFolder"/> in the box's own canary layout: <c>&lt;product&gt;/&lt;id&gt;_image.&lt;ext&gt;</c>
    /// with <c>&lt;id&gt;_template.&lt;ext&gt;</c> in the same folder (the product is the first sub-folder, deeper folders
    /// count for it), or both directly in the folder for the box's default product. An image without its template
    /// is left out, as the box leaves it out. Each pair's package entries keep the product folder, so the box's
    /// canary check judges it with that product's threshold and mask.
    /// </summary>
    public static IReadOnlyList<CanaryPairFiles> CanaryPairs(string canaryFolder)
    {
        if (!Directory.Exists(canaryFolder))
        {
            return [];
        }

        var naming = new PairNaming(new IngestOptions());
        var files = Directory.EnumerateFiles(canaryFolder, "*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Name: naming.Parse(Path.GetFileName(path))))
            .Where(f => f.Name is not null)
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var pairs = new List<CanaryPairFiles>();
        foreach (var image in files.Where(f => f.Name!.Role == PairRole.Image))
        {
            var directory = Path.GetDirectoryName(image.Path)!;
            var template = files.FirstOrDefault(f => f.Name!.Role == PairRole.Template && f.Name.PairId == image.Name!.PairId && Path.GetDirectoryName(f.Path) == directory);
            if (template.Path is not null)
            {
                var relative = Path.GetRelativePath(canaryFolder, directory);
                pairs.Add(new CanaryPairFiles(relative == "." ? null : relative.Split(Path.DirectorySeparatorChar)[0], image.Path, template.Path));
            }
        }

        return pairs;
    }

    private static IEnumerable<(string Entry, string Source)> CanaryFiles(string? canaryFolder)
    {
        if (canaryFolder is null)
        {
            return [];
        }

        var pairs = CanaryPairs(canaryFolder);
        if (pairs.Count == 0)
        {
            // Packing none would only fail later, on the box, after the whole push: "no canary pairs".
            throw new ArgumentException($"canary folder {canaryFolder}: no canary pair (<product>/<id>_image.<ext> with <id>_template.<ext> beside it)", nameof(canaryFolder));
        }

        var files = pairs
            .SelectMany(p => new[] { p.ImagePath, p.TemplatePath }.Select(f => (Entry: EntryOf(p.Product, f), Source: f)))
            .ToList();
        var unsafeName = files.FirstOrDefault(f => !ModelNaming.IsSafeEntryName(f.Entry));
        return unsafeName.Entry is null
            ? files
            : throw new ArgumentException($"canary file name {unsafeName.Source} has characters outside [A-Za-z0-9._-]", nameof(canaryFolder));
    }

    private static string EntryOf(string? product, string file) =>
        product is null ? $"{PackageLayout.CanaryFolder}/{Path.GetFileName(file)}" : $"{PackageLayout.CanaryFolder}/{product}/{Path.GetFileName(file)}";

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

/// <summary>One canary pair found for a package: its product (null: the box's default product) and its two files.</summary>
public sealed record CanaryPairFiles(string? Product, string ImagePath, string TemplatePath);
