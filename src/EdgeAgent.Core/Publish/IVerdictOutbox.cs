using EdgeAgent.Verdicts;

namespace EdgeAgent.Publish;

/// <summary>
/// Store-and-forward: verdicts are persisted before they are published, and the publisher pumps
/// what is still unacknowledged, oldest first (implemented by the verdict log).
/// </summary>
public interface IVerdictOutbox
{
    /// <summary>
    /// Stores verdicts in one transaction, each with its pair key and optional heatmap, numbering them, and forces
    /// them to disk; from then on they are pending. Returns them numbered, in order.
    /// </summary>
    /// <exception cref="IOException">The journal cannot write now (full disk, I/O error); nothing was stored.</exception>
    IReadOnlyList<Verdict> Append(IReadOnlyList<(Verdict Verdict, string PairKey, IReadOnlyList<ModelHeatmap>? Heatmaps)> items);

    /// <summary>Up to <paramref name="max"/> verdicts not yet acknowledged by the broker, in sequence order.</summary>
    IReadOnlyList<OutboxItem> Pending(int max);

    /// <summary>Records the broker's acknowledgement of these verdicts, in one write.</summary>
    /// <exception cref="IOException">The journal cannot write now; the verdicts stay pending.</exception>
    void MarkPublished(IReadOnlyList<string> verdictIds, DateTimeOffset at);

    /// <summary>Number of verdicts waiting for the broker.</summary>
    int PendingCount();
}

/// <summary>A stored verdict payload waiting for publication: exactly the bytes that were logged.</summary>
public sealed record OutboxItem(string VerdictId, long Seq, string Json);
