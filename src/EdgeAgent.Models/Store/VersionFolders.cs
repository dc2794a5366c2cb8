using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Hosting;
using EdgeAgent.Models.Packages;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Store;

/// <summary>
/// The version folders of a <see cref="ModelStore"/>: <c>&lt;root&gt;/&lt;name&gt;/&lt;version&gt;/</c>, each
/// assembled in <c>&lt;root&gt;/.staging/</c> and renamed into place, so a version is either complete or absent.
/// Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class VersionFolders(string root, ILogger logger)
{
    private const string InstallFile = "install.json";

    /// <summary>Name folders are <c>[a-z0-9]...</c>, so a dot folder can never clash with a model.</summary>
    private readonly string _staging = Path.Combine(root, ".staging");

    /// <summary>Removes what a crash left in staging: half-assembled or half-deleted versions, never visible ones.</summary>
    public void CleanStaging()
    {
        if (Directory.Exists(_staging))
        {
            Directory.Delete(_staging, recursive: true);
        }
    }

    public string PathOf(string name, string version) => Path.Combine(root, name, version);

    public bool Exists(string name, string version) =>
        ModelNaming.IsValidName(name) && ModelNaming.IsValidVersion(version) && Directory.Exists(PathOf(name, version));

    /// <summary>Model names that have a folder, in ordinal order.</summary>
    public IEnumerable<string> Names() =>
        Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).Where(ModelNaming.IsValidName).Order(StringComparer.Ordinal);

    /// <summary>The readable versions of <paramref name="name"/>, oldest install first.</summary>
    public List<StoredModel> Versions(string name)
    {
        var folder = Path.Combine(root, name);
        if (!ModelNaming.IsValidName(name) || !Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.GetDirectories(folder)
            .Select(Path.GetFileName)
            .Where(ModelNaming.IsValidVersion)
            .Select(v => Load(name, v!))
            .OfType<StoredModel>()
            .OrderBy(m => m.InstalledAt)
            .ThenBy(m => m.Version, StringComparer.Ordinal)];
    }

    /// <summary>The installed version, or null when it is absent or unreadable (logged).</summary>
    public StoredModel? Load(string name, string version)
    {
        if (!Exists(name, version))
        {
            return null;
        }

        var folder = PathOf(name, version);
        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder, InstallFile)), StoreJsonContext.Default.InstallRecord);
            var manifest = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder, PackageLayout.ManifestEntry)), ModelJsonContext.Default.ModelManifest);
            var model = Path.Combine(folder, PackageLayout.ModelEntry);
            if (record is null || manifest is null || !File.Exists(model))
            {
                throw new InvalidDataException("install record, manifest or model missing");
            }

            var canary = Path.Combine(folder, PackageLayout.CanaryFolder);
            return new StoredModel(
                name, version, record.ModelSha256, model, Directory.Exists(canary) ? canary : null, manifest, record.KeyId, record.InstalledAt);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            Log.VersionUnreadable(logger, folder, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Assembles a version in staging (the model, then whatever <paramref name="copyRest"/> adds, then
    /// <c>install.json</c>, all flushed to disk) and renames it into place.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's SHA-256 is not <see cref="InstallRecord.ModelSha256"/>.</exception>
    public StoredModel Create(string modelSource, Action<string> copyRest, InstallRecord record)
    {
        var target = PathOf(record.Name, record.Version);
        var temp = Directory.CreateDirectory(Path.Combine(_staging, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var sha256 = CopyDurable(modelSource, Path.Combine(temp, PackageLayout.ModelEntry));
            if (sha256 != record.ModelSha256)
            {
                throw new InvalidDataException($"{modelSource} has sha256 {sha256}, expected {record.ModelSha256}: it changed after verification");
            }

            copyRest(temp);
            AtomicFile.WriteDurable(
                Path.Combine(temp, InstallFile), JsonSerializer.SerializeToUtf8Bytes(record, StoreJsonContext.Default.InstallRecord));
            // Whatever the package's files were extracted with, the installed version is 0750/0640.
            PrivateFiles.RestrictTree(temp);
            // Names are durable only once their folder is fsynced (the files' own fsyncs keep their bytes, not their
            // names): the staged tree's entries first, then the rename into place, then a new model's folder.
            DirectorySync.SyncTree(temp);
            DirectorySync.CreateFolder(Path.GetDirectoryName(target)!);
            Directory.Move(temp, target);
            DirectorySync.SyncParentOf(target);
            DirectorySync.SyncParentOf(temp); // a rename touches two folders; the harness keeps it only once both are synced
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }

        return Load(record.Name, record.Version) ?? throw new IOException($"{target} was installed but cannot be read back");
    }

    /// <summary>Deletes a version; it is renamed out of sight first, so a crash mid-delete leaves no half version.</summary>
    public void Delete(string name, string version)
    {
        var trash = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_staging);
        Directory.Move(PathOf(name, version), trash);
        Directory.Delete(trash, recursive: true);
    }

    /// <summary>Copies a file, flushes it to disk, and returns the SHA-256 of the bytes written.</summary>
    private static string CopyDurable(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, read);
            hash.AppendData(buffer, 0, read);
        }

        output.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
