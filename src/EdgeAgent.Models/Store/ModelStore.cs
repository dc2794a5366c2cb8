using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Hosting;
using EdgeAgent.Models.Packages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Models.Store;

/// <summary>
/// Accepted models on the box: <c>&lt;folder&gt;/&lt;name&gt;/&lt;version&gt;/</c> holds <c>model.onnx</c>,
/// <c>manifest.json</c>, <c>manifest.sig</c> (packages only), <c>canary/</c> and <c>install.json</c>;
/// <c>&lt;folder&gt;/store.json</c> holds per name the active version and the history of activations.
/// <para>
/// Crash safety: a version is assembled in <c>.staging/</c> and renamed into place, so it is either fully there
/// or absent; <c>store.json</c> is replaced atomically. Every rename and new folder is followed by an fsync of its
/// folder (<see cref="DirectorySync"/>), so an install or activation that returned survives a power cut; one cut short
/// is missing, never half there (proven on the power-cut file system: ModelStorePowerCutTests).
/// </para>
/// <para>
/// A damaged store: when <c>store.json</c> cannot be read, the store does not fail. It keeps the file as
/// <c>store.json.damaged</c>, logs an error, rebuilds the state from the version folders present with no
/// active version (the agent then falls back to its bundled model until someone activates one), and says
/// so in <see cref="Recovery"/>. Versions whose folder is unreadable are skipped and logged.
/// </para>
/// <para>Thread-safety: one writer and any number of readers; every member takes one internal lock.</para>
/// </summary>
public sealed class ModelStore
{
    /// <summary>The <see cref="StoredModel.KeyId"/> of models imported without a package.</summary>
    public const string LocalKeyId = "local";

    private const string StateFile = "store.json";
    private const int HistoryLength = 32;

    private readonly Lock _gate = new();
    private readonly int _keepPrevious;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly StoreState _state;
    private readonly VersionFolders _folders;

    /// <summary>Opens (or creates) the store in <paramref name="folder"/>.</summary>
    /// <param name="folder">Store root, e.g. <c>/var/lib/edgeagent/models</c>.</param>
    /// <param name="keepPrevious">Installed versions kept per name besides the active one (the rollback target is always kept).</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="time">Clock for install times; the system clock when null.</param>
    public ModelStore(string folder, int keepPrevious, ILogger<ModelStore>? logger = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepPrevious);
        Folder = Path.GetFullPath(folder);
        _keepPrevious = keepPrevious;
        _logger = logger ?? NullLogger<ModelStore>.Instance;
        _time = time ?? TimeProvider.System;
        DirectorySync.CreateFolder(Folder); // a store created just before a power cut must still be there after it
        _folders = new VersionFolders(Folder, _logger);
        _folders.CleanStaging();
        (_state, Recovery) = LoadState();
    }

    /// <summary>The store root.</summary>
    public string Folder { get; }

    /// <summary>What was repaired when the store was opened, or null when the state was sound.</summary>
    public string? Recovery { get; }

    /// <summary>
    /// Installs a verified package as <c>&lt;name&gt;/&lt;version&gt;</c> (not activated). Installing the same
    /// version again with the same model returns the stored one.
    /// </summary>
    /// <exception cref="ModelVersionConflictException">The version is installed with a different model.</exception>
    /// <exception cref="InvalidDataException">The staged model no longer matches its verified hash.</exception>
    public StoredModel Install(VerifiedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        var expected = manifest.Files.Single(f => f.Path == PackageLayout.ModelEntry).Sha256;
        lock (_gate)
        {
            return InstallLocked(
                manifest.Name,
                manifest.Version,
                package.ModelPath,
                expected,
                temp =>
                {
                    File.Copy(package.ManifestPath, Path.Combine(temp, PackageLayout.ManifestEntry));
                    File.Copy(package.SignaturePath, Path.Combine(temp, PackageLayout.SignatureEntry));
                    if (package.CanaryFolder is not null)
                    {
                        var canary = Directory.CreateDirectory(Path.Combine(temp, PackageLayout.CanaryFolder)).FullName;
                        // Product sub-folders too: the canary check takes a pair's product from its folder.
                        foreach (var file in Directory.GetFiles(package.CanaryFolder, "*", SearchOption.AllDirectories))
                        {
                            var target = Path.Combine(canary, Path.GetRelativePath(package.CanaryFolder, file));
                            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                            File.Copy(file, target);
                        }
                    }
                },
                package.KeyId,
                package.PackageSha256);
        }
    }

    /// <summary>
    /// Installs a model without a package (the model bundled with the agent, seeded at first start);
    /// its key id is <see cref="LocalKeyId"/> and its manifest is made up here.
    /// </summary>
    /// <exception cref="ArgumentException">The name or version breaks the naming rule.</exception>
    /// <exception cref="ModelVersionConflictException">The version is installed with a different model.</exception>
    public StoredModel ImportLocal(string onnxPath, string name, string version)
    {
        if (!ModelNaming.IsValidName(name) || !ModelNaming.IsValidVersion(version))
        {
            throw new ArgumentException($"'{name}' '{version}' breaks the model naming rule");
        }

        var info = new FileInfo(onnxPath);
        string sha256;
        using (var stream = info.OpenRead())
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        var manifest = new ModelManifest
        {
            Format = ModelManifest.CurrentFormat,
            Name = name,
            Version = version,
            Contract = ModelManifest.StpmContract,
            CreatedAt = _time.GetUtcNow(),
            CreatedBy = "edgeagent local import",
            Notes = $"imported from {info.FullName}",
            Files = [new ManifestFile(PackageLayout.ModelEntry, info.Length, sha256)],
        };
        lock (_gate)
        {
            return InstallLocked(
                name,
                version,
                info.FullName,
                sha256,
                temp => AtomicFile.WriteDurable(
                    Path.Combine(temp, PackageLayout.ManifestEntry),
                    JsonSerializer.SerializeToUtf8Bytes(manifest, ModelJsonContext.Default.ModelManifest)),
                LocalKeyId,
                null);
        }
    }

    /// <summary>Makes an installed version the active one and records the activation.</summary>
    /// <exception cref="InvalidOperationException">The version is not installed.</exception>
    public StoredModel Activate(string name, string version)
    {
        lock (_gate)
        {
            var model = _folders.Load(name, version)
                ?? throw new InvalidOperationException($"{name} {version} is not installed");
            var history = HistoryOf(name);
            if (history.Active == version)
            {
                return model;
            }

            var previous = history.Active;
            history.Active = version;
            history.History.Add(version);
            history.Highest = HighestOf(history) is { } highest && ModelVersion.Compare(highest, version) > 0 ? highest : version;
            if (history.History.Count > HistoryLength)
            {
                history.History.RemoveRange(0, history.History.Count - HistoryLength);
            }

            SaveState();
            Log.Activated(_logger, name, version, previous ?? "none");
            Prune(name, null);
            return model;
        }
    }

    /// <summary>The active version of <paramref name="name"/>, or null when none is.</summary>
    public StoredModel? Active(string name)
    {
        lock (_gate)
        {
            return _state.Models.GetValueOrDefault(name)?.Active is { } active ? _folders.Load(name, active) : null;
        }
    }

    /// <summary>The versions of <paramref name="name"/> activated so far, oldest first (the last is the active one), as <c>store.json</c> keeps them.</summary>
    public IReadOnlyList<string> Activations(string name)
    {
        lock (_gate)
        {
            return [.. _state.Models.GetValueOrDefault(name)?.History ?? []];
        }
    }

    /// <summary>
    /// The highest version of <paramref name="name"/> ever activated here (null when none was): a push at or below it
    /// is a downgrade, and needs a signed intent. Kept in <c>store.json</c>; rollbacks do not lower it.
    /// </summary>
    public string? Highest(string name)
    {
        lock (_gate)
        {
            return _state.Models.GetValueOrDefault(name) is { } history ? HighestOf(history) : null;
        }
    }

    /// <summary>The installed version that was active before the current one, or null when there is none.</summary>
    public StoredModel? Previous(string name)
    {
        lock (_gate)
        {
            return PreviousLocked(name);
        }
    }

    /// <summary>
    /// Activates <see cref="Previous"/> and returns it, or returns null when there is nothing to go back to.
    /// The current activation is taken off the history, so a second rollback goes one step further back
    /// instead of returning to the version just left.
    /// </summary>
    public StoredModel? Rollback(string name)
    {
        lock (_gate)
        {
            if (PreviousLocked(name) is not { } previous)
            {
                return null;
            }

            var history = HistoryOf(name);
            var from = history.Active;
            int keep = history.History.LastIndexOf(previous.Version);
            history.History.RemoveRange(keep + 1, history.History.Count - keep - 1);
            history.Active = previous.Version;
            SaveState();
            Log.RolledBack(_logger, name, from ?? "none", previous.Version);
            return previous;
        }
    }

    /// <summary>The installed versions of <paramref name="name"/>, oldest install first.</summary>
    public IReadOnlyList<StoredModel> Versions(string name)
    {
        lock (_gate)
        {
            return _folders.Versions(name);
        }
    }

    /// <summary>The model names with at least one installed version, in ordinal order.</summary>
    public IReadOnlyList<string> Names()
    {
        lock (_gate)
        {
            return [.. _folders.Names().Where(n => _folders.Versions(n).Count > 0)];
        }
    }

    private StoredModel InstallLocked(
        string name, string version, string modelSource, string expectedSha256, Action<string> copyRest, string keyId, string? packageSha256)
    {
        if (_folders.Exists(name, version))
        {
            var installed = _folders.Load(name, version)
                ?? throw new IOException($"{_folders.PathOf(name, version)} exists but is not a readable installed version");
            if (installed.Sha256 != expectedSha256)
            {
                throw new ModelVersionConflictException(name, version, installed.Sha256, expectedSha256);
            }

            Log.AlreadyInstalled(_logger, name, version);
            return installed;
        }

        var model = _folders.Create(modelSource, copyRest, new InstallRecord(name, version, expectedSha256, keyId, packageSha256, _time.GetUtcNow()));
        Log.Installed(_logger, name, version, model.Sha256, keyId);
        Prune(name, version);
        return model;
    }

    private StoredModel? PreviousLocked(string name)
    {
        if (_state.Models.GetValueOrDefault(name) is not { } history)
        {
            return null;
        }

        for (int i = history.History.Count - 1; i >= 0; i--)
        {
            var version = history.History[i];
            if (version != history.Active && _folders.Load(name, version) is { } model)
            {
                return model;
            }
        }

        return null;
    }

    /// <summary>
    /// Deletes the oldest installed versions beyond <c>keepPrevious</c> besides the active one. The active
    /// version, the rollback target and <paramref name="justInstalled"/> (not yet activated) are never deleted.
    /// </summary>
    private void Prune(string name, string? justInstalled)
    {
        var history = _state.Models.GetValueOrDefault(name);
        var keep = new HashSet<string?>(StringComparer.Ordinal) { history?.Active, PreviousLocked(name)?.Version, justInstalled };
        var inactive = _folders.Versions(name).Where(m => m.Version != history?.Active).ToList();
        var doomed = inactive.Where(m => !keep.Contains(m.Version)).Take(Math.Max(0, inactive.Count - _keepPrevious)).ToList();
        foreach (var model in doomed)
        {
            _folders.Delete(name, model.Version);
            history?.History.RemoveAll(v => v == model.Version);
            Log.Pruned(_logger, name, model.Version);
        }

        if (doomed.Count > 0 && history is not null)
        {
            SaveState();
        }
    }

    private static string? HistoryHighest(ModelHistory history) =>
        history.History.Append(history.Active).OfType<string>().Where(ModelNaming.IsValidVersion).Order(ModelVersion.Comparer).LastOrDefault();

    private static string? HighestOf(ModelHistory history) =>
        history.Highest is { } highest && ModelNaming.IsValidVersion(highest) ? highest : HistoryHighest(history);

    private ModelHistory HistoryOf(string name)
    {
        if (!_state.Models.TryGetValue(name, out var history))
        {
            history = new ModelHistory();
            _state.Models[name] = history;
        }

        return history;
    }

    private (StoreState State, string? Recovery) LoadState()
    {
        var path = Path.Combine(Folder, StateFile);
        StoreState? state = null;
        string? problem = null;
        if (File.Exists(path))
        {
            try
            {
                state = JsonSerializer.Deserialize(File.ReadAllBytes(path), StoreJsonContext.Default.StoreState);
                problem = state switch
                {
                    null => "empty state",
                    { Format: not StoreState.CurrentFormat } => $"unknown format '{state.Format}'",
                    _ when state.Models.Values.Any(h => h?.History is null) => "a model entry is null",
                    _ => null,
                };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                problem = ex.Message;
            }
        }

        if (problem is not null)
        {
            File.Move(path, path + ".damaged", overwrite: true);
            state = null;
        }

        if (state is null)
        {
            state = new StoreState();
            foreach (var name in _folders.Names())
            {
                state.Models[name] = new ModelHistory();
            }
        }

        var recovery = problem is null ? null : $"{path} was unreadable ({problem}); state rebuilt from the folders, no version active";
        if (recovery is not null)
        {
            Log.StateRebuilt(_logger, path, problem!, state.Models.Count);
        }

        var (checkedState, dangling) = DropMissing(state);
        if (dangling is not null)
        {
            recovery = recovery is null ? dangling : $"{recovery}; {dangling}";
        }

        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(checkedState, StoreJsonContext.Default.StoreState));
        return (checkedState, recovery);
    }

    /// <summary>Forgets activations of versions whose folder is gone (deleted by hand, or lost in a power cut).</summary>
    private (StoreState State, string? Problem) DropMissing(StoreState state)
    {
        var lost = new List<string>();
        foreach (var (name, history) in state.Models)
        {
            history.History.RemoveAll(v => !ModelNaming.IsValidVersion(v) || !Directory.Exists(_folders.PathOf(name, v)));
            if (history.Active is { } active && (!ModelNaming.IsValidVersion(active) || _folders.Load(name, active) is null))
            {
                lost.Add($"{name} {active}");
                Log.ActiveMissing(_logger, name, active);
                history.Active = null;
            }
        }

        return (state, lost.Count == 0 ? null : $"active version missing, none active now: {string.Join(", ", lost)}");
    }

    private void SaveState() =>
        AtomicFile.Write(Path.Combine(Folder, StateFile), JsonSerializer.SerializeToUtf8Bytes(_state, StoreJsonContext.Default.StoreState));
}
