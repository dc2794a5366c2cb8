using System.Text.Json.Serialization;

namespace EdgeAgent.Ingest;

/// <summary>
/// A pair whose files are complete (or whose template never came), handed from ingest to inspection.
/// </summary>
/// <param name="Key">Identity of this pair instance: image path plus its mtime, so a file the AOI rewrites is a new pair.</param>
/// <param name="PairId">The AOI's id from the file names.</param>
/// <param name="Product">From the first sub-folder under the watched folder, else the configured default.</param>
/// <param name="WatchedFolder">The watched folder it was found under.</param>
/// <param name="ImagePath">Full path of the colour image.</param>
/// <param name="TemplatePath">Full path of the template, or null when it did not arrive in time.</param>
/// <param name="CompletedAt">When ingest decided the pair was complete (start of the latency clock).</param>
/// <param name="Trace">Lot, strip, unit, die... as the configured trace pattern reads them from the pair id.</param>
public sealed record PairCandidate(
    string Key,
    string PairId,
    string Product,
    string WatchedFolder,
    string ImagePath,
    string? TemplatePath,
    DateTimeOffset CompletedAt,
    IReadOnlyDictionary<string, string> Trace)
{
    /// <summary>
    /// The verdict id the journal gave this pair when it was first seen; re-processing after a crash
    /// reuses it. Empty for pairs judged outside the service (the inspect verb).
    /// </summary>
    public string VerdictId { get; init; } = "";

    /// <summary>True for a pair taken up again from the journal at start (an earlier run saw it and stopped before its verdict).</summary>
    [JsonIgnore]
    public bool Resumed { get; init; }
}

/// <summary>One file as a scan saw it; <paramref name="RenamedIntoPlace"/> when a watcher saw it renamed to this name (written elsewhere, finished).</summary>
public sealed record FileObservation(string Path, long Length, DateTime LastWriteUtc, bool RenamedIntoPlace = false);
