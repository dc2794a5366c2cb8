using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Data;

/// <summary>
/// The dashboard's only way into the agent's <see cref="VerdictLog"/> (the same instance as the pipeline's: LiteDB
/// direct mode allows one per file). Reads never take the log's write gate, but a LiteDB checkpoint, which the
/// journal runs after every batch, waits for open reads: so a wide selection is read page by page, <see cref="Chunk"/>
/// verdicts at a time (each page itself in short index-ordered queries, see the log's <c>Find</c>), never as one
/// long read, and at most <see cref="MaxScan"/> verdicts per request. At most two heavy requests (scans, pictures)
/// run at once; more wait briefly, then get "busy".
/// </summary>
public sealed class LogReader(VerdictLog log, int maxScan) : IDisposable
{
    /// <summary>Verdicts per query.</summary>
    public const int Chunk = 500;

    private static readonly TimeSpan SlotWait = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _heavy = new(2, 2);

    /// <summary>The log.</summary>
    public VerdictLog Log => log;

    /// <summary>Most verdicts one scan reads.</summary>
    public int MaxScan => maxScan;

    /// <summary>A slot for heavy work, to dispose when done; null when the dashboard is already busy.</summary>
    public async Task<IDisposable?> SlotAsync(CancellationToken cancellationToken) =>
        await _heavy.WaitAsync(SlotWait, cancellationToken).ConfigureAwait(false) ? new Slot(_heavy) : null;

    /// <summary>The filter's verdicts, newest first, at most <see cref="MaxScan"/>, read <see cref="Chunk"/> at a time (paging is ignored).</summary>
    public IEnumerable<Verdict> Scan(VerdictQuery filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        long? before = null;
        for (var read = 0; read < maxScan;)
        {
            var want = Math.Min(Chunk, maxScan - read);
            var chunk = log.Find(filter with { BeforeSeq = before, Limit = want });
            foreach (var verdict in chunk)
            {
                yield return verdict;
            }

            read += chunk.Count;
            if (chunk.Count < want)
            {
                yield break;
            }

            before = chunk[^1].Seq;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _heavy.Dispose();

    private sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
