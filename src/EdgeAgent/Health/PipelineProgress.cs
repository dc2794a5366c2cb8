using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Health;

/// <summary>
/// What the stages report about their progress, for the heartbeat and the watchdog. Written by the
/// inspection worker and the journal, read by the health monitor; plain fields with interlocked access.
/// </summary>
public sealed class PipelineProgress(TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private long _pairs;
    private long _errors;
    private long _inFlightSinceTicks;
    private long _lastInspectedTicks = time.GetUtcNow().UtcTicks;
    private long _lastStoredTicks = time.GetUtcNow().UtcTicks;

    /// <summary>When the agent started.</summary>
    public DateTimeOffset Started => _started;

    /// <summary>Pairs judged since start.</summary>
    public long Pairs => Interlocked.Read(ref _pairs);

    /// <summary>REVIEW and ERROR verdicts since start.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>When the pair now being inspected started, or null when the worker is idle.</summary>
    public DateTimeOffset? InFlightSince => Interlocked.Read(ref _inFlightSinceTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>When the last pair finished inspection.</summary>
    public DateTimeOffset LastInspected => new(Interlocked.Read(ref _lastInspectedTicks), TimeSpan.Zero);

    /// <summary>When the journal last stored verdicts.</summary>
    public DateTimeOffset LastStored => new(Interlocked.Read(ref _lastStoredTicks), TimeSpan.Zero);

    /// <summary>The worker took a pair.</summary>
    public void InspectionStarted() => Interlocked.Exchange(ref _inFlightSinceTicks, time.GetUtcNow().UtcTicks);

    /// <summary>The worker finished a pair with this outcome.</summary>
    public void InspectionFinished(VerdictKind outcome)
    {
        Interlocked.Exchange(ref _inFlightSinceTicks, 0);
        Interlocked.Exchange(ref _lastInspectedTicks, time.GetUtcNow().UtcTicks);
        Interlocked.Increment(ref _pairs);
        if (outcome is VerdictKind.Error or VerdictKind.Review)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>The journal stored a batch.</summary>
    public void Stored() => Interlocked.Exchange(ref _lastStoredTicks, time.GetUtcNow().UtcTicks);
}
