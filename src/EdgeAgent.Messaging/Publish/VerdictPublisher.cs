using System.Text;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Publish;
using EdgeAgent.Resilience;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Publish;

/// <summary>
/// The outbox pump: publishes stored verdicts in sequence order and marks each published on PUBACK, then the stored
/// operators' decisions (<c>…/decision</c>) and events (<c>…/event</c>) the same way. Stops at the first unacknowledged one, so order holds; nothing is dropped,
/// only delayed. MQTTnet 5 does not resend unacknowledged QoS 1 messages after a reconnect, so this pump does.
/// </summary>
public sealed class VerdictPublisher(IVerdictOutbox outbox, IEventOutbox events, IDecisionOutbox decisions, OutboxGate gate, MqttConnection connection, AgentMetrics metrics, TimeProvider time, ILogger<VerdictPublisher> logger)
    : BackgroundService, IOutboxNudge
{
    private const int BatchSize = 64;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private readonly WakeSignal _work = new(time);

    /// <summary>Wakes the pump: a verdict or decision was just stored. Nudges coalesce; one wake-up is enough.</summary>
    public void Nudge() => _work.Set();

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Verdicts first: the line waits for them; a decision follows its verdict; an event is about many pairs and can wait a round.
            bool drained = connection.IsConnected && await PumpAsync(stoppingToken).ConfigureAwait(false)
                && await PumpDecisionsAsync(stoppingToken).ConfigureAwait(false)
                && await PumpEventsAsync(stoppingToken).ConfigureAwait(false);
            gate.Report(outbox.PendingCount());
            await _work.WaitAsync(drained ? Timeout.InfiniteTimeSpan : IdlePoll, stoppingToken).ConfigureAwait(false);
        }
    }

    // True when the outbox is empty; false when the broker stopped acknowledging or the journal could not
    // record it. The acknowledged part of a batch is marked in one write, also when the batch ends early.
    private async Task<bool> PumpAsync(CancellationToken cancellationToken)
    {
        var acknowledged = new List<string>(BatchSize);
        while (true)
        {
            var batch = outbox.Pending(BatchSize);
            if (batch.Count == 0)
            {
                return true;
            }

            foreach (var item in batch)
            {
                var started = time.GetTimestamp();
                if (!await connection.PublishAsync(connection.Topics.Verdict, Encoding.UTF8.GetBytes(item.Json), retain: false, cancellationToken).ConfigureAwait(false))
                {
                    Log.Deferred(logger, item.VerdictId, item.Seq);
                    Mark(acknowledged);
                    return false;
                }

                // Only acknowledged publishes: a timed-out one says how long the timeout is, not how long a publish takes.
                metrics.StageTime(AgentMetrics.Stage.Publish, time.GetElapsedTime(started));
                acknowledged.Add(item.VerdictId);
            }

            if (!Mark(acknowledged))
            {
                return false;
            }
        }
    }

    // Decisions come at a person's pace: one at a time, each marked on its PUBACK.
    private Task<bool> PumpDecisionsAsync(CancellationToken cancellationToken) => PumpOneByOneAsync(
        decisions.PendingDecisions, d => (d.DecisionId, d.Json), connection.Topics.Decision,
        (id, at) => decisions.MarkDecisionsPublished([id], at), id => Log.DecisionDeferred(logger, id), cancellationToken);

    // Events are rare (one per excursion of a drifting series): one at a time, each marked on its PUBACK.
    private Task<bool> PumpEventsAsync(CancellationToken cancellationToken) => PumpOneByOneAsync(
        events.PendingEvents, e => (e.Id, e.Json), connection.Topics.Event,
        (id, at) => events.MarkEventsPublished([id], at), id => Log.EventDeferred(logger, id), cancellationToken);

    // False when the broker did not take one (it stays pending, sent again on the next pass) or its mark failed.
    private async Task<bool> PumpOneByOneAsync<T>(
        Func<int, IReadOnlyList<T>> pending, Func<T, (string Id, string Json)> fields, string topic,
        Action<string, DateTimeOffset> markPublished, Action<string> deferred, CancellationToken cancellationToken)
    {
        while (pending(BatchSize) is { Count: > 0 } batch)
        {
            foreach (var (id, json) in batch.Select(fields))
            {
                if (!await connection.PublishAsync(topic, Encoding.UTF8.GetBytes(json), retain: false, cancellationToken).ConfigureAwait(false))
                {
                    deferred(id);
                    return false;
                }

                try
                {
                    markPublished(id, time.GetUtcNow());
                }
                catch (IOException e)
                {
                    Log.MarkFailed(logger, 1, e);
                    return false;
                }
            }
        }

        return true;
    }

    // A mark that cannot be written (full disk) leaves those verdicts pending: they are sent again later,
    // with the same ids, which at-least-once delivery allows.
    private bool Mark(List<string> acknowledged)
    {
        if (acknowledged.Count == 0)
        {
            return true;
        }

        try
        {
            outbox.MarkPublished(acknowledged, time.GetUtcNow());
            return true;
        }
        catch (IOException e)
        {
            Log.MarkFailed(logger, acknowledged.Count, e);
            return false;
        }
        finally
        {
            acknowledged.Clear();
        }
    }
}
