using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Models.Store;

namespace EdgeAgent.Models.Packages;

/// <summary>The checks of <see cref="ModelPackageVerifier"/> on an opened zip, in their required order.</summary>
internal sealed class PackageReader(
    ZipArchive archive, TrustList trust, PackageLimits limits, string staging, string packageSha256)
{
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);

    public PackageVerification Read()
    {
        if (CheckEntries() is { } entryProblem)
        {
            return entryProblem;
        }

        if (!_entries.ContainsKey(PackageLayout.ManifestEntry))
        {
            return Reject(RejectionCode.Malformed, $"no {PackageLayout.ManifestEntry}");
        }

        if (!_entries.ContainsKey(PackageLayout.SignatureEntry))
        {
            return Reject(RejectionCode.Unsigned, $"no {PackageLayout.SignatureEntry}");
        }

        byte[]? manifestBytes, signatureBytes;
        try
        {
            (manifestBytes, signatureBytes) = (ReadSmall(PackageLayout.ManifestEntry), ReadSmall(PackageLayout.SignatureEntry));
        }
        catch (InvalidDataException ex)
        {
            // A corrupt deflate stream or an unknown compression method in the zip (found by fuzzing: it escaped as an exception).
            return Reject(RejectionCode.Malformed, $"manifest or signature cannot be read: {ex.Message}");
        }

        if (manifestBytes is null || signatureBytes is null)
        {
            return Reject(RejectionCode.Oversized, $"manifest or signature over {limits.MaxManifestBytes} bytes");
        }

        if (CheckSignature(manifestBytes, signatureBytes, out var keyId) is { } signatureProblem)
        {
            return signatureProblem;
        }

        if (ParseManifest(manifestBytes, out var manifest) is { } manifestProblem)
        {
            return manifestProblem;
        }

        return CheckListing(manifest) ?? Extract(manifest, manifestBytes, signatureBytes, keyId);
    }

    private PackageVerification? CheckEntries()
    {
        if (archive.Entries.Count > limits.MaxEntries)
        {
            return Reject(RejectionCode.Oversized, $"{archive.Entries.Count} entries, limit {limits.MaxEntries}");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in archive.Entries)
        {
            if (!ModelNaming.IsSafeEntryName(entry.FullName))
            {
                return Reject(RejectionCode.PathTraversal, $"unsafe entry name '{Printable(entry.FullName)}'");
            }

            if (entry.Length > limits.MaxEntryBytes)
            {
                return Reject(RejectionCode.Oversized, $"'{entry.FullName}' is {entry.Length} bytes, limit {limits.MaxEntryBytes}");
            }

            if (entry.Length > limits.CompressionRatioExemptBytes
                && entry.Length > entry.CompressedLength * limits.MaxCompressionRatio)
            {
                return Reject(
                    RejectionCode.Oversized,
                    $"'{entry.FullName}' inflates {entry.CompressedLength} to {entry.Length} bytes, over {limits.MaxCompressionRatio}:1");
            }

            // Two entries whose names differ only in case would land on one file on some file systems, and
            // two equal names would let the verified copy differ from the extracted one.
            if (!names.Add(entry.FullName))
            {
                return Reject(RejectionCode.Tampered, $"'{entry.FullName}' appears twice");
            }

            _entries[entry.FullName] = entry;
        }

        return null;
    }

    private byte[]? ReadSmall(string name)
    {
        var entry = _entries[name];
        if (entry.Length > limits.MaxManifestBytes)
        {
            return null;
        }

        using var source = entry.Open();
        using var buffer = new MemoryStream();
        return Copy(source, buffer, limits.MaxManifestBytes, null) is { } ? buffer.ToArray() : null;
    }

    private PackageVerification? CheckSignature(byte[] manifestBytes, byte[] signatureBytes, out string keyId)
    {
        keyId = "";
        if (ModelPackageVerifier.ParseSignature(signatureBytes) is not { } signature)
        {
            return Reject(RejectionCode.Malformed, $"{PackageLayout.SignatureEntry} is not an {ManifestSignature.EcdsaP256Sha256} signature record");
        }

        if (trust.Find(signature.KeyId) is not { } key)
        {
            return Reject(RejectionCode.UntrustedKey, $"key {Printable(signature.KeyId)} is not trusted");
        }

        var raw = new byte[64];
        if (!Convert.TryFromBase64String(signature.Signature, raw, out int length) || !key.Verifies(manifestBytes, raw.AsSpan(0, length)))
        {
            return Reject(RejectionCode.BadSignature, $"signature does not verify with key {key.KeyId} ({key.Source})");
        }

        keyId = key.KeyId;
        return null;
    }

    private static PackageVerification? ParseManifest(byte[] bytes, out ModelManifest manifest)
    {
        ModelManifest? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(bytes, ModelJsonContext.Default.ModelManifest);
        }
        catch (JsonException ex)
        {
            manifest = null!;
            return Reject(RejectionCode.Malformed, $"{PackageLayout.ManifestEntry}: {ex.Message}");
        }

        manifest = parsed!;
        string? problem = parsed switch
        {
            null => "manifest is null",
            _ when parsed.Files.Any(f => f?.Path is null || f.Sha256 is null) => "a files[] item is null or incomplete",
            { Format: not ModelManifest.CurrentFormat } => $"unknown format '{Printable(parsed.Format)}'",
            _ when !ModelNaming.IsValidName(parsed.Name) => $"bad name '{Printable(parsed.Name)}'",
            _ when !ModelNaming.IsValidVersion(parsed.Version) => $"bad version '{Printable(parsed.Version)}'",
            _ when parsed.Files.FirstOrDefault(f => f.Size < 0 || !IsSha256Hex(f.Sha256)) is { } bad => $"bad size or sha256 for '{Printable(bad.Path)}'",
            _ => null,
        };
        if (problem is not null)
        {
            return Reject(RejectionCode.Malformed, problem);
        }

        if (parsed!.Files.FirstOrDefault(f => !ModelNaming.IsSafeEntryName(f.Path)) is { } unsafePath)
        {
            return Reject(RejectionCode.PathTraversal, $"manifest lists unsafe path '{Printable(unsafePath.Path)}'");
        }

        return PackageLayout.CheckPayload(parsed.Files.Select(f => f.Path)) is { } layout
            ? Reject(RejectionCode.Malformed, layout)
            : null;
    }

    private PackageVerification? CheckListing(ModelManifest manifest)
    {
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var name in _entries.Keys)
        {
            if (name is not PackageLayout.ManifestEntry and not PackageLayout.SignatureEntry && !listed.ContainsKey(name))
            {
                return Reject(RejectionCode.Tampered, $"'{name}' is in the package but not in the manifest");
            }
        }

        foreach (var file in manifest.Files)
        {
            if (!_entries.TryGetValue(file.Path, out var entry))
            {
                return Reject(RejectionCode.Tampered, $"'{file.Path}' is listed but missing");
            }

            if (entry.Length != file.Size)
            {
                return Reject(RejectionCode.Tampered, $"'{file.Path}' is {entry.Length} bytes, manifest says {file.Size}");
            }
        }

        return null;
    }

    private PackageVerification Extract(ModelManifest manifest, byte[] manifestBytes, byte[] signatureBytes, string keyId)
    {
        Directory.CreateDirectory(staging);
        foreach (var file in manifest.Files)
        {
            var target = Path.GetFullPath(Path.Combine(staging, file.Path));
            if (!target.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Reject(RejectionCode.PathTraversal, $"'{file.Path}' resolves outside the staging folder");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long? written;
            try
            {
                using var source = _entries[file.Path].Open();
                using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                written = Copy(source, output, file.Size, hash);
            }
            catch (InvalidDataException ex)
            {
                return Reject(RejectionCode.Tampered, $"'{file.Path}' has corrupt data: {ex.Message}");
            }

            if (written is null)
            {
                return Reject(RejectionCode.Oversized, $"'{file.Path}' inflates beyond its declared {file.Size} bytes");
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (written != file.Size || sha256 != file.Sha256)
            {
                return Reject(RejectionCode.Tampered, $"'{file.Path}' is {written} bytes with sha256 {sha256}, manifest says {file.Size} and {file.Sha256}");
            }
        }

        var manifestPath = Path.Combine(staging, PackageLayout.ManifestEntry);
        var signaturePath = Path.Combine(staging, PackageLayout.SignatureEntry);
        File.WriteAllBytes(manifestPath, manifestBytes);
        File.WriteAllBytes(signaturePath, signatureBytes);
        var canary = Path.Combine(staging, PackageLayout.CanaryFolder);
        return PackageVerification.Accepted(new VerifiedPackage(
            manifest,
            keyId,
            packageSha256,
            staging,
            manifestPath,
            signaturePath,
            Path.Combine(staging, PackageLayout.ModelEntry),
            Directory.Exists(canary) ? canary : null));
    }

    /// <summary>
    /// Copies at most <paramref name="max"/> bytes; returns the count, or null as soon as the source has more.
    /// Counting here, not trusting the zip's declared sizes, is what stops a lying header from filling the disk.
    /// </summary>
    private static long? Copy(Stream source, Stream destination, long max, IncrementalHash? hash)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
            if (total > max)
            {
                return null;
            }

            destination.Write(buffer, 0, read);
            hash?.AppendData(buffer, 0, read);
        }

        return total;
    }

    private static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Attacker-chosen text goes into logs; keep control characters out of them.</summary>
    private static string Printable(string? value) =>
        value is null ? "null" : new string([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    private static PackageVerification Reject(string code, string detail) => PackageVerification.Rejected(code, detail);
}
