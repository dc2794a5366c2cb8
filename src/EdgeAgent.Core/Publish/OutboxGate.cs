namespace EdgeAgent.Publish;

/// <summary>
/// The outbox's bound, shared by the stages that fill and drain it. When the broker has been away long
/// enough for the backlog to reach the limit, ingest stops taking new pairs (they wait on the AOI's
/// disk) instead of anything being dropped.
/// </summary>
public sealed class OutboxGate(int limit)
{
    private long _backlog;

    /// <summary>The configured bound.</summary>
    public int Limit { get; } = limit;

    /// <summary>Verdicts stored but not yet acknowledged, as last reported.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>True at or above the limit: ingest must wait.</summary>
    public bool IsFull => Backlog >= Limit;

    /// <summary>True from 80% of the limit: time to warn someone.</summary>
    public bool IsNearFull => Backlog >= Limit * 0.8;

    /// <summary>Records the current backlog (called after every store and every publish round).</summary>
    public void Report(long backlog) => Interlocked.Exchange(ref _backlog, backlog);
}
