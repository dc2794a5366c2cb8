using System.Globalization;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Pipeline.Drift;
using EdgeAgent.Publish;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Health;

/// <summary>
/// Decides whether the agent is healthy, degraded (working, but someone should look: broker away, outbox filling, a
/// product drifting) or stalled (work
/// is waiting and nothing moves: only a restart helps, so the watchdog stops being fed).
/// </summary>
public sealed class HealthMonitor(
    IOptions<HealthOptions> options,
    PipelineChannels channels,
    PipelineProgress progress,
    OutboxGate outbox,
    IVerdictOutbox pending,
    MqttConnection mqtt,
    DriftMonitor drift,
    TimeProvider time)
{
    private readonly HealthOptions _options = options.Value;

    /// <summary>The state and the reasons for it, now.</summary>
    public (string State, IReadOnlyList<string> Problems) Evaluate()
    {
        var now = time.GetUtcNow();
        var stalled = new List<string>();
        if (progress.InFlightSince is { } since && now - since > _options.StallTimeout)
        {
            stalled.Add($"one pair has been in inspection for {(now - since).TotalSeconds:F0} s");
        }

        if (progress.InFlightSince is null && channels.Candidates.Reader.Count > 0 && now - progress.LastInspected > _options.StallTimeout)
        {
            stalled.Add($"{channels.Candidates.Reader.Count} pairs wait and none was inspected for {(now - progress.LastInspected).TotalSeconds:F0} s");
        }

        if (channels.Judged.Reader.Count > 0 && now - progress.LastStored > _options.StallTimeout)
        {
            stalled.Add($"{channels.Judged.Reader.Count} verdicts wait for the journal, nothing stored for {(now - progress.LastStored).TotalSeconds:F0} s");
        }

        // A rescan that never ends (a link loop, a folder beyond reason) or stops short leaves pairs unjudged for good.
        if (progress.ScanningSince is { } scanning && now - scanning > _options.StallTimeout)
        {
            stalled.Add($"the rescan of the AOI folders has run for {(now - scanning).TotalSeconds:F0} s");
        }

        if (progress.IncompleteScan is { } incomplete)
        {
            stalled.Add($"the last rescan of the AOI folders stopped short: {incomplete}");
        }

        if (stalled.Count > 0)
        {
            return ("stalled", stalled);
        }

        var degraded = new List<string>();
        if (outbox.IsNearFull)
        {
            degraded.Add($"outbox holds {outbox.Backlog} of at most {outbox.Limit} verdicts{(outbox.IsFull ? "; ingest paused" : "")}");
        }

        if (pending.Pending(1) is [var oldest] && now - VerdictIdGenerator.TimestampOf(oldest.VerdictId) > _options.OutboxMaxAge)
        {
            degraded.Add($"verdict {oldest.VerdictId} has waited for the broker since {VerdictIdGenerator.TimestampOf(oldest.VerdictId):u}");
        }

        if (!mqtt.IsConnected)
        {
            degraded.Add("not connected to the MQTT broker");
        }

        // Verdicts go on as before; the reason stays while the series is beyond its limit, so someone looks.
        foreach (var alarm in drift.Alarms)
        {
            degraded.Add(string.Create(CultureInfo.InvariantCulture,
                $"product {alarm.Product} drifting: {alarm.Series} {alarm.Value:0.####} beyond its limit {alarm.Limit:0.####} (reference {alarm.Reference:0.####}){(alarm.Since is { } at ? $" since {at:u}" : "")}"));
        }

        return (degraded.Count > 0 ? "degraded" : "healthy", degraded);
    }
}
