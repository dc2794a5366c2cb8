namespace EdgeAgent.Models.Store;

/// <summary><c>store.json</c>: per model name, the active version and the activations that led to it.</summary>
internal sealed class StoreState
{
    public const string CurrentFormat = "edgeagent-store/1";

    public string Format { get; set; } = CurrentFormat;

    public SortedDictionary<string, ModelHistory> Models { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One model name's activation state.</summary>
internal sealed class ModelHistory
{
    /// <summary>The active version, or null when none is.</summary>
    public string? Active { get; set; }

    /// <summary>Activated versions, oldest first; the last one is <see cref="Active"/>.</summary>
    public List<string> History { get; set; } = [];

    /// <summary>
    /// The highest version (<see cref="ModelVersion.Compare"/>) ever activated; rollbacks and pruning never lower it.
    /// Absent in stores written before it existed: then the highest of <see cref="History"/> and <see cref="Active"/>.
    /// </summary>
    public string? Highest { get; set; }
}

/// <summary><c>install.json</c> in a version folder: what was installed, from where, and when.</summary>
internal sealed record InstallRecord(
    string Name,
    string Version,
    string ModelSha256,
    string KeyId,
    string? PackageSha256,
    DateTimeOffset InstalledAt);
