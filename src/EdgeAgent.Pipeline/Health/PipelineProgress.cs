using EdgeAgent.Verdicts;

namespace EdgeAgent.Pipeline.Health;

/// <summary>
/// What the stages report about their progress, for the heartbeat and the watchdog. Written by the
/// inspection worker and the journal, read by the health monitor; plain fields with interlocked access.
/// </summary>
public sealed class PipelineProgress(TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private long _pairs;
    private long _errors;
    private readonly Queue<long> _inFlightStarts = new();
    private long _lastInspectedTicks = time.GetUtcNow().UtcTicks;
    private long _lastStoredTicks = time.GetUtcNow().UtcTicks;

    /// <summary>When the agent started.</summary>
    public DateTimeOffset Started => _started;

    /// <summary>Pairs judged since start.</summary>
    public long Pairs => Interlocked.Read(ref _pairs);

    /// <summary>REVIEW and ERROR verdicts since start.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>When the oldest batch still in inspection started, or null when the worker is idle.</summary>
    public DateTimeOffset? InFlightSince
    {
        get
        {
            lock (_inFlightStarts)
            {
                return _inFlightStarts.TryPeek(out var t) ? new DateTimeOffset(t, TimeSpan.Zero) : null;
            }
        }
    }

    /// <summary>When the last pair finished inspection.</summary>
    public DateTimeOffset LastInspected => new(Interlocked.Read(ref _lastInspectedTicks), TimeSpan.Zero);

    /// <summary>When the journal last stored verdicts.</summary>
    public DateTimeOffset LastStored => new(Interlocked.Read(ref _lastStoredTicks), TimeSpan.Zero);

    /// <summary>The worker started judging a batch (batches may overlap; they finish in the order they started).</summary>
    public void InspectionStarted()
    {
        lock (_inFlightStarts)
        {
            _inFlightStarts.Enqueue(time.GetUtcNow().UtcTicks);
        }
    }

    /// <summary>The oldest batch in inspection finished with these outcomes.</summary>
    public void InspectionFinished(IEnumerable<VerdictKind> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_inFlightStarts)
        {
            _inFlightStarts.TryDequeue(out _);
        }

        Interlocked.Exchange(ref _lastInspectedTicks, time.GetUtcNow().UtcTicks);
        foreach (var outcome in outcomes)
        {
            Interlocked.Increment(ref _pairs);
            if (outcome is VerdictKind.Error or VerdictKind.Review)
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }

    /// <summary>The journal stored a batch.</summary>
    public void Stored() => Interlocked.Exchange(ref _lastStoredTicks, time.GetUtcNow().UtcTicks);
}
