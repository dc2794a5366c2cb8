using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeAgent.Models.Packages;

/// <summary>
/// Decides whether a received package may be installed, and extracts it when it may. Checks run cheapest and
/// least trusting first: sizes and entry names (nothing is read yet), then the signature (only signed bytes
/// are parsed), then sizes and hashes while extracting. Every refusal is a <see cref="PackageRejection"/>;
/// only I/O failures of the box itself (disk full, staging unwritable) throw.
/// </summary>
public static class ModelPackageVerifier
{
    /// <summary>Verifies <paramref name="packagePath"/> and extracts its payload into <paramref name="stagingFolder"/>.</summary>
    /// <param name="packagePath">The complete package file.</param>
    /// <param name="trust">The keys this box accepts.</param>
    /// <param name="limits">Size limits.</param>
    /// <param name="stagingFolder">
    /// Absent or empty folder to extract into. Nothing is ever written outside it; on rejection it is emptied
    /// again (and removed if the verifier created it).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="stagingFolder"/> is not empty.</exception>
    public static PackageVerification Verify(string packagePath, TrustList trust, PackageLimits limits, string stagingFolder)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(limits);
        var staging = Path.GetFullPath(stagingFolder);
        bool stagingExisted = Directory.Exists(staging);
        if (stagingExisted && Directory.EnumerateFileSystemEntries(staging).Any())
        {
            throw new ArgumentException($"Staging folder {staging} must be empty", nameof(stagingFolder));
        }

        if (!File.Exists(packagePath))
        {
            return PackageVerification.Rejected(RejectionCode.Malformed, $"{packagePath} does not exist");
        }

        using var stream = new FileStream(packagePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > limits.MaxPackageBytes)
        {
            return PackageVerification.Rejected(
                RejectionCode.Oversized, $"package is {stream.Length} bytes, limit {limits.MaxPackageBytes}");
        }

        var packageSha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (CheckDirectory(stream, limits) is { } directoryProblem)
        {
            return directoryProblem;
        }

        ZipArchive archive;
        try
        {
            stream.Position = 0;
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            _ = archive.Entries.Count;
        }
        catch (InvalidDataException ex)
        {
            return PackageVerification.Rejected(RejectionCode.Malformed, $"not a zip: {ex.Message}");
        }

        using (archive)
        {
            try
            {
                var result = new PackageReader(archive, trust, limits, staging, packageSha256).Read();
                if (!result.IsAccepted)
                {
                    Clean(staging, stagingExisted);
                }

                return result;
            }
            catch
            {
                Clean(staging, stagingExisted);
                throw;
            }
        }
    }

    private static PackageVerification? CheckDirectory(FileStream stream, PackageLimits limits)
    {
        if (ZipDirectoryPeek.Read(stream) is not var (entries, directoryBytes))
        {
            return PackageVerification.Rejected(RejectionCode.Malformed, "not a zip: no end of central directory record");
        }

        // A central directory header is 46 bytes plus name and extra fields; 1 KiB each is generous for
        // names of at most 255 characters, and keeps ZipArchive from reading an unbounded directory.
        return entries > limits.MaxEntries || directoryBytes > limits.MaxEntries * 1024L
            ? PackageVerification.Rejected(
                RejectionCode.Oversized,
                $"central directory declares {entries} entries in {directoryBytes} bytes, limit {limits.MaxEntries} entries")
            : null;
    }

    private static void Clean(string staging, bool stagingExisted)
    {
        if (!Directory.Exists(staging))
        {
            return;
        }

        if (!stagingExisted)
        {
            Directory.Delete(staging, recursive: true);
            return;
        }

        foreach (var directory in Directory.GetDirectories(staging))
        {
            Directory.Delete(directory, recursive: true);
        }

        foreach (var file in Directory.GetFiles(staging))
        {
            File.Delete(file);
        }
    }

    /// <summary>Parses <c>manifest.sig</c>; null when it is not a signature record of the accepted algorithm.</summary>
    internal static ManifestSignature? ParseSignature(byte[] bytes)
    {
        try
        {
            var signature = JsonSerializer.Deserialize(bytes, ModelJsonContext.Default.ManifestSignature);
            return signature?.Algorithm == ManifestSignature.EcdsaP256Sha256 ? signature : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
