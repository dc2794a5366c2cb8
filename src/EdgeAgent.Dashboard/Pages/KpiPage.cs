using System.Text;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The supervisors' KPI page: today's figures per product as tiles with the review queue, then per product a chart of
/// its days (pairs by verdict, the settled share) and the table of every day. The figures are the journal's tallies
/// (<see cref="KpiDay"/>), the same as <c>logs --stats</c> and the heartbeat print. Data attributes are what tests read.
/// </summary>
public static class KpiPage
{
    /// <summary>The page body: <paramref name="days"/> of the range, <paramref name="today"/>'s per product, the queue's length.</summary>
    public static string Body(KpiRange range, IReadOnlyList<KpiDay> days, IReadOnlyList<KpiDay> today, (int Review, int SpotChecks) queue)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(today);
        var body = new StringBuilder("<h2>KPIs</h2>");
        body.Append(RangeForm(range));
        foreach (var error in range.Errors)
        {
            body.Append($"<p class=\"alert\">{E(error)}; the default is shown instead.</p>");
        }

        var products = days.Concat(today).Select(d => d.Product).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        body.Append($"<section id=\"kpi-today\"><h2>Today ({E(KpiDays.Text(range.Today))}, {(range.Calendar == KpiCalendar.Utc ? "UTC" : "local")} day)</h2>");
        body.Append($"<div class=\"cards\"><div class=\"card review\"><span class=\"label\">review queue: REVIEW + spot checks</span><span class=\"value\" id=\"queue-length\">{N(queue.Review + queue.SpotChecks)}</span>"
            + $"<span class=\"label\"><span id=\"queue-review\">{N(queue.Review)}</span> REVIEW, <span id=\"queue-spot\">{N(queue.SpotChecks)}</span> spot checks</span></div></div>");
        foreach (var product in products)
        {
            body.Append(Tiles(today.FirstOrDefault(d => d.Product == product) ?? Empty(KpiDays.Text(range.Today), product)));
        }

        body.Append(products.Count == 0 ? "<p class=\"note\">No pair judged on these days.</p>" : "").Append("</section>");
        if (products.Count > 0)
        {
            body.Append($"<p class=\"note\" id=\"kpi-legend\">Bars: pairs per day, {Badge(VerdictKind.Ok)} {Badge(VerdictKind.Ng)} {Badge(VerdictKind.Review)} {Badge(VerdictKind.Error)} from the bottom (left axis); "
                + "the dark line: the share settled by the box (right axis). Hover a bar for its numbers.</p>");
        }

        // One look-up per chart cell: a year's range times a few products would otherwise rescan every row per cell.
        var byDay = new Dictionary<(string Day, string Product), KpiDay>();
        foreach (var d in days)
        {
            byDay.TryAdd((d.Day, d.Product), d);
        }

        var dayTexts = range.Days.Select(KpiDays.Text).ToList();
        for (var i = 0; i < products.Count; i++)
        {
            var product = products[i];
            var series = dayTexts.Select(day => byDay.GetValueOrDefault((day, product)) ?? Empty(day, product)).ToList();
            body.Append($"<section class=\"kpi-chart\" data-product=\"{E(product)}\"><h3>{E(product)}: pairs per day by verdict, and the share settled without a person</h3>");
            body.Append(KpiSvg.Render("kpi-chart-" + i, series)).Append("</section>");
        }

        body.Append(DayTable(days));
        body.Append(Definitions);
        return body.ToString();
    }

    private static string RangeForm(KpiRange range)
    {
        var other = range.Calendar == KpiCalendar.Utc ? "local" : "utc";
        var query = $"?calendar={range.CalendarName}&from={KpiDays.Text(range.From)}&to={KpiDays.Text(range.To)}";
        return $"""
            <form id="kpi-range" method="get" action="/kpis">
            <label>days <select name="calendar"><option value="utc"{(range.Calendar == KpiCalendar.Utc ? " selected" : "")}>UTC</option><option value="local"{(range.Calendar == KpiCalendar.Local ? " selected" : "")}>the box's local time</option></select></label>
            <label>from <input name="from" value="{KpiDays.Text(range.From)}" size="10" placeholder="yyyy-MM-dd"></label>
            <label>to <input name="to" value="{KpiDays.Text(range.To)}" size="10" placeholder="yyyy-MM-dd"></label>
            <button type="submit">Apply</button>
            <a id="kpi-calendar-switch" href="/kpis?calendar={other}">{(other == "utc" ? "UTC days" : "local days")}</a>
            <a href="/api/kpis{E(query)}">JSON</a>
            </form>
            """;
    }

    private static string Tiles(KpiDay k)
    {
        static string Card(string kpi, string label, string value, string css = "") =>
            $"<div class=\"card {css}\"><span class=\"label\">{label}</span><span class=\"value\" data-kpi=\"{kpi}\">{value}</span></div>";
        return $"<div class=\"kpi-product\" data-product=\"{E(k.Product)}\"><h3>{E(k.Product)}</h3><div class=\"cards\">"
            + Card("suspects", "suspects", N(k.Suspects))
            + Card("settled", "settled by the box", Percent(k.SettledShare), "ok")
            + Card("escapes", "escapes found (AI OK → NG)", N(k.Escapes), "ng")
            + Card("overkill", "overkill confirmed (AI NG → OK)", N(k.OverkillConfirmed), "review")
            + Card("agreement", "agreement", Percent(k.Agreement))
            + Card("review-ok", "REVIEW → OK", Percent(k.ReviewOkRate))
            + "</div></div>";
    }

    private static string DayTable(IReadOnlyList<KpiDay> days)
    {
        var body = new StringBuilder("<section><h2>Per day and product</h2><table class=\"stats\" id=\"kpi-days\"><thead><tr><th>day</th><th>product</th><th>suspects</th>"
            + "<th>OK</th><th>NG</th><th>REVIEW</th><th>ERROR</th><th>settled</th><th>decided</th><th>agreement</th><th>escapes</th><th>overkill confirmed</th><th>REVIEW → OK</th></tr></thead><tbody>");
        foreach (var d in days.OrderByDescending(d => d.Day, StringComparer.Ordinal).ThenBy(d => d.Product, StringComparer.Ordinal))
        {
            body.Append($"<tr data-day=\"{E(d.Day)}\" data-product=\"{E(d.Product)}\"><th>{E(d.Day)}</th><th>{E(d.Product)}</th><td>{N(d.Suspects)}</td><td>{N(d.Ok)}</td><td>{N(d.Ng)}</td>"
                + $"<td>{N(d.Review)}</td><td>{N(d.Error)}</td><td>{Percent(d.SettledShare)}</td><td>{N(d.Decisions)}</td><td>{Percent(d.Agreement)}</td>"
                + $"<td>{N(d.Escapes)}</td><td>{N(d.OverkillConfirmed)}</td><td>{Percent(d.ReviewOkRate)}</td></tr>");
        }

        return body.Append(days.Count == 0 ? "<tr><td colspan=\"13\">no pairs judged on these days</td></tr>" : "").Append("</tbody></table></section>").ToString();
    }

    private const string Definitions = """
        <p class="note">Suspects: pairs the AOI flagged and the box judged. Settled: the share the box judged OK or NG, so no person had to look
        (OK is overkill removed from manual re-inspection). Agreement: of the OK/NG verdicts a person decided, the share where they agreed.
        Escapes found: the box said OK, a person said NG. Overkill confirmed: the box said NG, a person said OK. REVIEW → OK: of the REVIEW pairs
        a person decided, the share decided OK. A decision counts under the day its pair was judged. – where there is nothing to divide by.</p>
        """;

    private static string Percent(double? share) => share is { } s ? N(s * 100, "0.0") + " %" : "–";

    private static KpiDay Empty(string day, string product) => new(day, product, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
