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
}

/// <summary>
/// The durable journal every pair enters before any work (implemented by the verdict log): a pair is
/// seen, then judged, then published. A restart resumes what was seen but not judged, with the same id.
/// </summary>
public interface IPairJournal
{
    /// <summary>True when the pair is already in the journal (seen or judged), in this run or an earlier one.</summary>
    bool IsKnown(string pairKey);

    /// <summary>Records the pair as seen, durably, and returns its verdict id (the existing one if it was seen before).</summary>
    /// <exception cref="IOException">The journal cannot write now (full disk, I/O error); the caller retries.</exception>
    string RecordSeen(PairCandidate pair);

    /// <summary>Pairs seen but never judged (the agent stopped or crashed in between), oldest first, with their ids.</summary>
    IReadOnlyList<PairCandidate> Unfinished();

    /// <summary>
    /// Counts one more attempt at judging the pair with this verdict id and returns the count, so a pair that
    /// kills the process while it is judged is not tried forever. Survives a process crash (not a power cut).
    /// </summary>
    int BeginAttempt(string verdictId);
}

/// <summary>One file as a scan saw it.</summary>
public sealed record FileObservation(string Path, long Length, DateTime LastWriteUtc);
