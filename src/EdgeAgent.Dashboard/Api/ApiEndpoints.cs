using System.Text;
using System.Text.Json;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Decisions;
using EdgeAgent.Models.Store;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Api;

/// <summary>
/// The JSON API behind the pages (same filters, same bounds) and the CSV export. Verdicts are written with the
/// payload's own <see cref="VerdictJsonContext"/>, so the API shows exactly what was published.
/// </summary>
public sealed class ApiEndpoints(LogReader reader, ModelStore store, IAgentStatus status, StationIdentity station, TimeProvider time)
{
    /// <summary><c>GET /api/verdicts?filter</c>: one page, newest first, with the address of the next.</summary>
    public async Task Verdicts(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var filtered = await FilteredAsync(context).ConfigureAwait(false);
        if (filtered.Filter is not { } filter)
        {
            return;
        }

        var page = reader.Log.Find(filter.Query);
        await WriteJson(context, json =>
        {
            json.WriteStartArray("verdicts");
            foreach (var verdict in page)
            {
                JsonSerializer.Serialize(json, verdict, VerdictJsonContext.Default.Verdict);
            }

            json.WriteEndArray();
            json.WriteString("next", page.Count == filter.Query.Limit ? "/api/verdicts" + filter.ToQueryString(page[^1].Seq) : null);
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/verdicts/{id}</c>: the verdict and its stored heatmap.</summary>
    public async Task Verdict(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (reader.Log.Get(Responses.RouteValue(context, "id")) is not { } stored)
        {
            await Responses.NotFound(context, "No such verdict in the log (or it was pruned by retention).").ConfigureAwait(false);
            return;
        }

        await WriteJson(context, json =>
        {
            json.WritePropertyName("verdict");
            JsonSerializer.Serialize(json, stored.Verdict, VerdictJsonContext.Default.Verdict);
            json.WritePropertyName("heatmap");
            JsonSerializer.Serialize(json, stored.Heatmap is { } h ? new HeatmapPayload(h.Crop, VerdictHeatmap.Side, h.Levels) : null, DashboardJsonContext.Default.HeatmapPayload);
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/stats?filter</c>: counts per hour and product, histogram.</summary>
    public async Task Stats(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var filtered = await FilteredAsync(context).ConfigureAwait(false);
        if (filtered.Filter is not { } filter)
        {
            return;
        }

        var s = Summary.Of(reader.Scan(filter.Query), reader.MaxScan);
        var payload = new StatsPayload(s.Stats.All, s.Stats.PerHour, s.Stats.PerProduct, s.Histogram, s.ThresholdNote, s.Scanned, s.Truncated);
        await Responses.Json(context, payload, DashboardJsonContext.Default.StatsPayload).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /export.csv?filter</c>: the whole filter (not just one page, at most <c>Dashboard:MaxScan</c> rows) in
    /// the columns of <c>edgeagent logs --csv</c> (each verdict with its newest decision), streamed as it is read.
    /// </summary>
    public async Task Csv(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        using var filtered = await FilteredAsync(context).ConfigureAwait(false);
        if (filtered.Filter is not { } filter)
        {
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"edgeagent-{station.Line}-{station.Station}-{now.UtcDateTime:yyyyMMdd-HHmm}.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync(VerdictCsv.Header.AsMemory(), context.RequestAborted).ConfigureAwait(false);
        // Each chunk of the scan with its decisions, one short query per chunk.
        foreach (var chunk in reader.Scan(filter.Query).Chunk(LogReader.Chunk))
        {
            var decided = reader.Log.DecisionsOf(chunk.Select(v => v.Id));
            foreach (var verdict in chunk)
            {
                await writer.WriteLineAsync(VerdictCsv.Row(verdict, decided.GetValueOrDefault(verdict.Id)).AsMemory(), context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <c>GET /api/kpis?calendar=utc|local&amp;from=&amp;to=</c>: the KPI tallies of each day and product of the range
    /// (default the last 30 days), oldest first, and the review queue's length; 400 naming what is wrong in the query.
    /// </summary>
    public async Task Kpis(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var range = KpiRange.Parse(context.Request.Query, time.GetUtcNow());
        if (range.Errors.Count > 0)
        {
            await Responses.BadRequest(context, range.Errors).ConfigureAwait(false);
            return;
        }

        var (review, spotChecks) = reader.Log.QueueLength();
        var payload = new KpisPayload(range.CalendarName, KpiDays.Text(range.From), KpiDays.Text(range.To), KpiDays.Text(range.Today),
            reader.Log.Kpis(range.Calendar, KpiDays.Text(range.From), KpiDays.Text(range.To)), new ReviewQueuePayload(review, spotChecks));
        await Responses.Json(context, payload, DashboardJsonContext.Default.KpisPayload).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/models?before=</c>: the store's history and a page of the audit trail (<see cref="AuditPaging"/>); 400 for a bad <c>before</c>.</summary>
    public Task Models(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (before, error) = AuditPaging.Parse(context.Request.Query);
        if (error is not null)
        {
            return Responses.BadRequest(context, [error]);
        }

        var models = store.Names().Select(name => new ModelHistoryPayload(
            name,
            store.Active(name)?.Version,
            store.Activations(name),
            [.. store.Versions(name).Select(m => new InstalledPayload(m.Version, m.Sha256, m.KeyId, m.InstalledAt, m.Manifest.Notes))])).ToList();
        var audit = reader.Log.AuditTrail(AuditPaging.PageSize, before);
        return Responses.Json(context, new ModelsPayload(models, audit, AuditPaging.Next(audit, a => a.Id)), DashboardJsonContext.Default.ModelsPayload);
    }

    /// <summary><c>GET /api/health</c>: what the page's badge shows.</summary>
    public Task Health(HttpContext context) => Responses.Json(context, status.Now(), DashboardJsonContext.Default.AgentStatus);

    // The request's filter with one of the log's read slots held, or the 400 / 503 answer already sent (Filter null).
    private async Task<Filtered> FilteredAsync(HttpContext context)
    {
        var filter = DashboardFilter.Parse(context.Request.Query, time.GetUtcNow());
        if (filter.Errors.Count > 0)
        {
            await Responses.BadRequest(context, filter.Errors).ConfigureAwait(false);
            return new Filtered(null, null);
        }

        var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return new Filtered(null, null);
        }

        return new Filtered(filter, slot);
    }

    private static async Task WriteJson(HttpContext context, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A parsed filter and the read slot it runs under (released on dispose).</summary>
    private sealed record Filtered(DashboardFilter? Filter, IDisposable? Slot) : IDisposable
    {
        public void Dispose() => Slot?.Dispose();
    }
}
