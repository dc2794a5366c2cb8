using EdgeAgent.Drift;

namespace EdgeAgent.Publish;

/// <summary>
/// Store-and-forward for events (<c>edgeagent.event/1</c>), with the verdicts' guarantees: stored and forced to disk
/// before they are published, re-sent until the broker acknowledges them (implemented by the verdict log, beside
/// the drift charts the events come from, so both are written in one transaction).
/// </summary>
public interface IEventOutbox
{
    /// <summary>Stores the events and the products' charts in one transaction, forced to disk when there are events.</summary>
    /// <exception cref="IOException">The journal cannot write now; nothing was stored.</exception>
    void AppendDrift(IReadOnlyList<DriftEvent> events, IReadOnlyList<ProductDrift> charts);

    /// <summary>The persisted charts of every product, to resume at start.</summary>
    IReadOnlyList<ProductDrift> DriftCharts();

    /// <summary>Up to <paramref name="max"/> events not yet acknowledged, oldest first.</summary>
    IReadOnlyList<PendingEvent> PendingEvents(int max);

    /// <summary>Records the broker's acknowledgement of these events.</summary>
    /// <exception cref="IOException">The journal cannot write now; the events stay pending.</exception>
    void MarkEventsPublished(IReadOnlyList<string> eventIds, DateTimeOffset at);
}

/// <summary>A stored event payload waiting for publication: exactly the bytes that were logged.</summary>
public sealed record PendingEvent(string Id, string Json);
