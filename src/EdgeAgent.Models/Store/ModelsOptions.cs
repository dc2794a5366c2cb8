using System.ComponentModel.DataAnnotations;
using EdgeAgent.Models.Packages;

namespace EdgeAgent.Models.Store;

/// <summary>Configuration section <c>Models</c>: whose packages the box accepts, how big they may be, where models live.</summary>
public sealed class ModelsOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Models";

    /// <summary>Folder whose <c>*.pub</c> PEM files are the trusted technician keys; none when empty.</summary>
    public string? TrustedKeysFolder { get; set; } = "/etc/edgeagent/trusted-keys";

    /// <summary>Further trusted public key PEM files, named one by one.</summary>
    public List<string> TrustedKeyFiles { get; set; } = [];

    /// <summary>Root of the model store; empty means <c>models/</c> under <c>Storage:DataDirectory</c>.</summary>
    public string? StoreFolder { get; set; }

    /// <summary>The store folder: <see cref="StoreFolder"/>, else <c>models/</c> under <paramref name="dataDirectory"/>.</summary>
    public string StoreFolderUnder(string dataDirectory) => string.IsNullOrWhiteSpace(StoreFolder) ? Path.Combine(dataDirectory, "models") : StoreFolder;

    /// <summary>Installed versions kept per model besides the active one (the rollback target is always kept).</summary>
    [Range(0, 20)]
    public int KeepPrevious { get; set; } = 2;

    /// <summary>Known-good pairs every new model must pass (besides those in its package); empty means <c>canary/</c> under <c>Storage:DataDirectory</c>.</summary>
    public string? CanaryFolder { get; set; }

    /// <summary>Share of the canary's pasted defects a new model must judge NG.</summary>
    [Range(0.0, 1.0)]
    public double CanaryMinDefectRecall { get; set; } = 1.0;

    /// <summary>The box's canary folder: <see cref="CanaryFolder"/>, else <c>canary/</c> under <paramref name="dataDirectory"/>.</summary>
    public string CanaryFolderUnder(string dataDirectory) => string.IsNullOrWhiteSpace(CanaryFolder) ? Path.Combine(dataDirectory, "canary") : CanaryFolder;

    /// <summary>Inference failures in a row after which a model is rolled back to its previous version.</summary>
    [Range(1, 1000)]
    public int AutoRollbackAfterFailures { get; set; } = 3;

    /// <summary>
    /// How far a signed command's <c>issuedAt</c> may be from the box's clock, either way, before it is refused STALE;
    /// its nonce is kept this long after <c>issuedAt</c> so a replay inside the window is refused REPLAYED. Default 10 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan CommandClockWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest package file accepted, in bytes. Default 512 MiB.</summary>
    [Range(1024L, 16L * 1024 * 1024 * 1024)]
    public long MaxPackageBytes { get; set; } = new PackageLimits().MaxPackageBytes;

    /// <summary>Largest uncompressed package entry, in bytes. Default 512 MiB.</summary>
    [Range(1024L, 16L * 1024 * 1024 * 1024)]
    public long MaxEntryBytes { get; set; } = new PackageLimits().MaxEntryBytes;

    /// <summary>Most entries a package may hold. Default 256.</summary>
    [Range(3, 4096)]
    public int MaxEntries { get; set; } = new PackageLimits().MaxEntries;

    /// <summary>The limits these options set.</summary>
    public PackageLimits Limits => new() { MaxPackageBytes = MaxPackageBytes, MaxEntryBytes = MaxEntryBytes, MaxEntries = MaxEntries };
}
