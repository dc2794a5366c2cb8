namespace EdgeAgent.Pipeline.Health;

/// <summary>
/// What the stages report about their progress, for the heartbeat and the watchdog. Written by the
/// inspection worker and the journal, read by the health monitor; plain fields with interlocked access.
/// Counts of pairs and verdicts live in <see cref="EdgeAgent.Telemetry.AgentMetrics"/>, not here.
/// </summary>
public sealed class PipelineProgress(TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly Queue<long> _inFlightStarts = new();
    private long _lastInspectedTicks = time.GetUtcNow().UtcTicks;
    private long _lastStoredTicks = time.GetUtcNow().UtcTicks;
    private long _scanStartedTicks;
    private string? _incompleteScan;

    /// <summary>When the agent started.</summary>
    public DateTimeOffset Started => _started;

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

    /// <summary>The oldest batch in inspection finished.</summary>
    public void InspectionFinished()
    {
        lock (_inFlightStarts)
        {
            _inFlightStarts.TryDequeue(out _);
        }

        Interlocked.Exchange(ref _lastInspectedTicks, time.GetUtcNow().UtcTicks);
    }

    /// <summary>When the full rescan of the AOI folders now running started, or null between rescans.</summary>
    public DateTimeOffset? ScanningSince => Interlocked.Read(ref _scanStartedTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Why the last full rescan stopped short (a budget ran out), or null when it saw everything.</summary>
    public string? IncompleteScan => Volatile.Read(ref _incompleteScan);

    /// <summary>Ingest began a full rescan.</summary>
    public void ScanStarted() => Interlocked.Exchange(ref _scanStartedTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Ingest finished a full rescan; <paramref name="incomplete"/> says why it stopped short, if it did.</summary>
    public void ScanFinished(string? incomplete)
    {
        Volatile.Write(ref _incompleteScan, incomplete);
        Interlocked.Exchange(ref _scanStartedTicks, 0);
    }

    /// <summary>The journal stored a batch.</summary>
    public void Stored() => Interlocked.Exchange(ref _lastStoredTicks, time.GetUtcNow().UtcTicks);
}
