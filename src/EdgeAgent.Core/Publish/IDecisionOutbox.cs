namespace EdgeAgent.Publish;

/// <summary>
/// Store-and-forward for operators' decisions (<c>edgeagent.decision/1</c>), with the verdicts' guarantees: stored and
/// forced to disk before they are published, re-sent until the broker acknowledges them.
/// </summary>
public interface IDecisionOutbox
{
    /// <summary>Up to <paramref name="max"/> decisions not yet acknowledged, oldest first.</summary>
    IReadOnlyList<PendingDecision> PendingDecisions(int max);

    /// <summary>Records the broker's acknowledgement of these decisions.</summary>
    /// <exception cref="IOException">The journal cannot write now; the decisions stay pending.</exception>
    void MarkDecisionsPublished(IReadOnlyList<string> decisionIds, DateTimeOffset at);
}

/// <summary>A stored decision payload waiting for publication: exactly the bytes that were logged.</summary>
public sealed record PendingDecision(string DecisionId, string Json);

/// <summary>Wakes the outbox pump when something was stored outside the pipeline (a decision from the dashboard).</summary>
public interface IOutboxNudge
{
    /// <summary>Something new waits in an outbox; nudges coalesce.</summary>
    void Nudge();
}
