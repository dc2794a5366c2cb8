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
    public IReadOnlyList<PendingEvent> PendingEvents(int max) => Guard("read the event outbox", () =>
        (IReadOnlyList<PendingEvent>)[.. Events.Find(Expression("published = @0", false)).OrderBy(d => d["_id"].AsString, StringComparer.Ordinal).Take(max)
            .Select(d => new PendingEvent(d["_id"].AsString, d["json"].AsString))]);

    /// <inheritdoc/>
    public void MarkEventsPublished(IReadOnlyList<string> eventIds, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        lock (_writeGate)
        {
            InTransaction(() =>
            {
                foreach (var id in eventIds)
                {
                    if (Events.FindById(id) is { } doc)
                    {
                        doc["published"] = true;
                        doc["publishedAt"] = at.UtcDateTime;
                        Events.Update(doc);
                    }
                }
            });
        }
    }

    /// <summary>The newest <paramref name="limit"/> events, newest first (doctor, dashboard).</summary>
    public IReadOnlyList<DriftEvent> RecentEvents(int limit) => Guard("read the events", () =>
        (IReadOnlyList<DriftEvent>)[.. Events.Query().OrderByDescending("_id").Limit(limit).ToEnumerable()
            .Select(d => JsonSerializer.Deserialize(d["json"].AsString, DriftJsonContext.Default.DriftEvent)!)]);

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
