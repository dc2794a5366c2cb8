using System.Text.Json;
using EdgeAgent.Drift;
using EdgeAgent.Publish;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// The event outbox and the drift charts, in the same file and under the same single writer as the verdicts. Events
/// are few (one per excursion of a series), so they stay in their own collection for good: the log of what drifted
/// when. The charts are one <c>meta</c> record per product (<c>drift:{product}</c>), which exists from the first open.
/// </summary>
public sealed partial class VerdictLog : IEventOutbox
{
    private const string EventCollection = "events";
    private const string DriftPrefix = "drift:";

    private ILiteCollection<BsonDocument> Events => Opened.Events;

    /// <inheritdoc/>
    public void AppendDrift(IReadOnlyList<DriftEvent> events, IReadOnlyList<ProductDrift> charts)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(charts);
        lock (_writeGate)
        {
            InTransaction(() =>
            {
                foreach (var e in events)
                {
                    Events.Upsert(new BsonDocument
                    {
                        ["_id"] = e.Id,
                        ["type"] = e.Type,
                        ["product"] = e.Product,
                        ["at"] = e.At.UtcDateTime,
                        ["published"] = false,
                        ["json"] = JsonSerializer.Serialize(e, DriftJsonContext.Default.DriftEvent),
                    });
                }

                foreach (var chart in charts)
                {
                    Meta.Upsert(new BsonDocument { ["_id"] = DriftPrefix + chart.Product, ["json"] = JsonSerializer.Serialize(chart, DriftJsonContext.Default.ProductDrift) });
                }
            });

            // An event is published only once it is on disk, as a verdict is; charts alone may wait for the next checkpoint
            // (a crash that loses them resumes from the previous save, at most a few hundred pairs back).
            if (events.Count > 0)
            {
                Db.Checkpoint();
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<ProductDrift> DriftCharts() => Guard("read the drift charts", () =>
        (IReadOnlyList<ProductDrift>)[.. Meta.Find(Expression("_id >= @0 AND _id < @1", DriftPrefix, "drift;"))
            .Select(d => ReadChart(d["json"].AsString)).OfType<ProductDrift>()]);

    /// <inheritdoc/>
    public IReadOnlyList<PendingEvent> PendingEvents(int max) =>
        Unpublished(Events, "read the event outbox", max, (id, json) => new PendingEvent(id, json));

    /// <inheritdoc/>
    public void MarkEventsPublished(IReadOnlyList<string> eventIds, DateTimeOffset at) => MarkPublished(Events, eventIds, at);

    /// <summary>The newest <paramref name="limit"/> events, newest first (doctor, dashboard).</summary>
    public IReadOnlyList<DriftEvent> RecentEvents(int limit) => Guard("read the events", () =>
        (IReadOnlyList<DriftEvent>)[.. Events.Query().OrderByDescending("_id").Limit(limit).ToEnumerable()
            .Select(d => JsonSerializer.Deserialize(d["json"].AsString, DriftJsonContext.Default.DriftEvent)!)]);

    // The outboxes kept in their own collection (events, decisions): the oldest unpublished records, by id.
    private IReadOnlyList<T> Unpublished<T>(ILiteCollection<BsonDocument> outbox, string what, int max, Func<string, string, T> pending) =>
        Guard(what, () => (IReadOnlyList<T>)[.. outbox.Find(Expression("published = @0", false)).OrderBy(d => d["_id"].AsString, StringComparer.Ordinal).Take(max)
            .Select(d => pending(d["_id"].AsString, d["json"].AsString))]);

    // Ids no longer in the collection are passed over. No checkpoint: a mark lost to a crash re-sends the record, same id.
    private void MarkPublished(ILiteCollection<BsonDocument> outbox, IReadOnlyList<string> ids, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_writeGate)
        {
            InTransaction(() =>
            {
                foreach (var id in ids)
                {
                    if (outbox.FindById(id) is { } doc)
                    {
                        doc["published"] = true;
                        doc["publishedAt"] = at.UtcDateTime;
                        outbox.Update(doc);
                    }
                }
            });
        }
    }

    // A record this version cannot read (written by a later one) is left for it and ignored here: the product learns anew.
    private static ProductDrift? ReadChart(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, DriftJsonContext.Default.ProductDrift);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
