using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Dashboard.Review;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Decisions;
using EdgeAgent.Drift;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>The HTML pages and the pictures they show, each heavy one under one of the <see cref="LogReader"/>'s slots.</summary>
internal sealed class PageEndpoints(LogReader reader, VerdictPictures pictures, ModelStore store, IAgentStatus status, StationIdentity station, IOptions<DriftOptions> drift,
    DecisionEndpoints decisions, TimeProvider time)
{
    // Entries the review page shows at once: a shift's worth of REVIEW pairs is read a page at a time.
    private const int ReviewPage = 20;

    // Pairs a trend page reads: a few of the EWMA's memories past the window, in four of the log reader's chunks.
    private const int TrendPairs = 2_000;

    /// <summary><c>GET /?filter</c>: the overview.</summary>
    public async Task Overview(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var filter = DashboardFilter.Parse(context.Request.Query, time.GetUtcNow());
        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        var rows = reader.Log.FindStored(filter.Query);
        var summary = Summary.Of(reader.Scan(filter.Query), reader.MaxScan);
        MarkMistakes(context, filter.Errors);
        await Responses.Html(context, Html.Page(context, "Verdicts", station, status.Now(), OverviewPage.Body(filter, summary, rows))).ConfigureAwait(false);
    }

    /// <summary><c>GET /verdicts/{id}</c>: one verdict with its pictures.</summary>
    public async Task Detail(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        var id = Responses.RouteValue(context, "id");
        if (reader.Log.Get(id) is not { } stored)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            var body = $"<p class=\"alert\">No verdict {Html.E(id)} in the log: it may have been pruned by retention.</p><p><a href=\"/\">← all verdicts</a></p>";
            await Responses.Html(context, Html.Page(context, "Not found", station, status.Now(), body)).ConfigureAwait(false);
            return;
        }

        // Rendered now, so the three pictures the page asks for next come from the cache.
        var set = pictures.For(stored);
        await Responses.Html(context, Html.Page(context, stored.Verdict.PairId, station, status.Now(), DetailPage.Body(stored, set))).ConfigureAwait(false);
    }

    /// <summary><c>GET /verdicts/{id}/{picture}.png</c>: template, image, overlay or heatmap.</summary>
    public async Task Picture(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        var png = reader.Log.Get(Responses.RouteValue(context, "id")) is { } stored ? pictures.For(stored).Named(Responses.RouteValue(context, "picture")) : null;
        if (png is null)
        {
            await Responses.NotFound(context, "No such picture.").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "image/png";
        context.Response.Headers.CacheControl = "private, max-age=600";
        await context.Response.Body.WriteAsync(png, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>GET /drift/{product}</c>: the product's drift series over its newest pairs, with the control limits.</summary>
    public async Task Drift(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        var product = Responses.RouteValue(context, "product");
        var recent = reader.Log.Find(new VerdictQuery(Product: product, Limit: TrendPairs));
        var charts = reader.Log.DriftCharts().FirstOrDefault(p => p.Product == product);
        await Responses.Html(context, Html.Page(context, "Drift " + product, station, status.Now(), DriftPage.Body(product, charts, recent, drift.Value))).ConfigureAwait(false);
    }

    /// <summary><c>GET /review</c>: the review queue, REVIEW pairs first, oldest first, then spot checks.</summary>
    public async Task Review(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var slot = await reader.SlotAsync(context.RequestAborted).ConfigureAwait(false);
        if (slot is null)
        {
            await Responses.Busy(context).ConfigureAwait(false);
            return;
        }

        var product = context.Request.Query["product"] is { Count: 1 } p ? p[0] : null;
        var entries = reader.Log.ReviewQueue(ReviewPage, product);
        var body = Pages.ReviewPage.Body(entries, reader.Log.QueueLength(), decisions.ClassesFor, DashboardAccess.AntiforgeryToken(context));
        await Responses.Html(context, Html.Page(context, "Review", station, status.Now(), body)).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /kpis?calendar=utc|local&amp;from=&amp;to=</c>: the supervisors' KPIs. The journal's tallies are one small
    /// record per day, so the page needs no read slot.
    /// </summary>
    public Task Kpis(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var range = KpiRange.Parse(context.Request.Query, time.GetUtcNow());
        var days = reader.Log.Kpis(range.Calendar, KpiDays.Text(range.From), KpiDays.Text(range.To));
        // Today's rows are already among the range's when it covers today; a second read only when it does not.
        var todayText = KpiDays.Text(range.Today);
        IReadOnlyList<KpiDay> today = range.From <= range.Today && range.Today <= range.To
            ? [.. days.Where(d => d.Day == todayText)]
            : reader.Log.Kpis(range.Calendar, todayText, todayText);
        MarkMistakes(context, range.Errors);
        return Responses.Html(context, Html.Page(context, "KPIs", station, status.Now(), KpiPage.Body(range, days, today, reader.Log.QueueLength())));
    }

    // A page whose filter had mistakes still shows (with them named and left out, so the form can be corrected), but
    // answers 400 as the API does: a script or probe sees the refusal, and a browser shows the page all the same.
    private static void MarkMistakes(HttpContext context, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    /// <summary><c>GET /models?before=</c>: the model history and a page of the audit trail (<see cref="AuditPaging"/>); 400 for a bad <c>before</c>.</summary>
    public Task Models(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (before, error) = AuditPaging.Parse(context.Request.Query);
        return error is not null
            ? Responses.BadRequest(context, [error])
            : Responses.Html(context, Html.Page(context, "Models", station, status.Now(), ModelsPage.Body(store, reader.Log.AuditTrail(AuditPaging.PageSize, before))));
    }
}
