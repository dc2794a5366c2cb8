using EdgeAgent.Verdicts;

namespace EdgeAgent.Ingest;

/// <summary>
/// The durable journal every pair enters before any work (implemented by the verdict log): a pair is
/// seen, then judged, then published. A restart resumes what was seen but not judged, with the same id.
/// </summary>
public interface IPairJournal
{
    /// <summary>True when the pair is already in the journal (seen or judged), in this run or an earlier one.</summary>
    bool IsKnown(string pairKey);

    /// <summary>The outcome of the pair's stored verdict; null while it is only seen, once it is archived, or when unknown.</summary>
    VerdictKind? JudgedOutcome(string pairKey);

    /// <summary>
    /// Records the pairs as seen, in one write, and returns their verdict ids in the same order (the existing id
    /// for a pair seen before). The record survives a process crash; it is forced to disk with the first verdict
    /// stored after it, and until then nothing outside the box knows the id.
    /// </summary>
    /// <exception cref="IOException">The journal cannot write now (full disk, I/O error); the caller retries.</exception>
    IReadOnlyList<string> RecordSeen(IReadOnlyList<PairCandidate> pairs);

    /// <summary>Pairs seen but never judged (the agent stopped or crashed in between), oldest first, with their ids.</summary>
    IReadOnlyList<PairCandidate> Unfinished();

    /// <summary>
    /// Counts one more attempt at judging a resumed pair (<see cref="PairCandidate.Resumed"/>) and returns the
    /// count, so a pair that kills the process while it is judged is not tried forever. A pair's first attempt,
    /// in the run that saw it, is not counted: that would cost a journal write for every pair. Survives a process
    /// crash (not a power cut).
    /// </summary>
    int BeginAttempt(string verdictId);
}
