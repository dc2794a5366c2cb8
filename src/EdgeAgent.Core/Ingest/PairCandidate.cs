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
    IReadOnlyDictionary<string, string> Trace);

/// <summary>Answers whether a pair was already judged in an earlier run (implemented by the verdict log).</summary>
public interface IJudgedPairs
{
    /// <summary>True when a verdict for this pair key is already stored.</summary>
    bool IsJudged(string pairKey);
}

/// <summary>One file as a scan saw it.</summary>
public sealed record FileObservation(string Path, long Length, DateTime LastWriteUtc);
