using System.Text;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The landing page: the filter, the counts and NG rate (overall, per hour, per product), the score histogram, and
/// the verdicts newest first with their heatmaps, one page at a time. Element ids are what the browser test reads.
/// </summary>
public static class OverviewPage
{
    /// <summary>The page body.</summary>
    public static string Body(DashboardFilter filter, Summary summary, IReadOnlyList<StoredVerdict> rows)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(rows);
        var body = new StringBuilder();
        body.Append(FilterForm(filter, summary));
        foreach (var error in filter.Errors)
        {
            body.Append($"<p class=\"alert\">{E(error)}; that filter is left out.</p>");
        }

        body.Append(Counts(summary));
        if (summary.Truncated)
        {
            body.Append($"<p class=\"note\" id=\"truncated\">Counted the newest {N(summary.Scanned)} verdicts of this selection only (Dashboard:MaxScan); narrow the time range for exact numbers.</p>");
        }

        body.Append("<section class=\"split\">");
        body.Append(StatsTable("Per hour (UTC)", "per-hour", summary.Stats.PerHour));
        body.Append(StatsTable("Per product", "per-product", summary.Stats.PerProduct, drift: true));
        body.Append("</section>");
        body.Append(UnvouchedTable(summary.Stats.Unvouched));
        body.Append("<section><h2>Scores of OK and NG verdicts</h2>");
        body.Append(summary.Histogram is { } bins ? HistogramSvg.Render(bins) : "<p class=\"note\">No scored OK or NG verdict in this selection.</p>");
        if (summary.ThresholdNote is { } note)
        {
            body.Append($"<p class=\"note\">{E(note)}</p>");
        }

        body.Append("</section>");
        body.Append(VerdictTable(filter, rows));
        return body.ToString();
    }

    // Only when some pair had no route or lay outside its model's training: an operator should see it without looking for it.
    private static string UnvouchedTable(IReadOnlyList<UnvouchedCounts> products)
    {
        if (products.Count == 0)
        {
            return "";
        }

        var body = new StringBuilder("<section><h2>Pairs the box could not vouch for</h2><table class=\"stats\" id=\"unvouched\"><thead><tr><th>product</th>"
            + "<th>not routed</th><th>default model by opt-in</th><th>out of distribution</th></tr></thead><tbody>");
        foreach (var p in products)
        {
            body.Append($"<tr><th><a href=\"/?product={Uri.EscapeDataString(p.Product)}\">{E(p.Product)}</a></th><td>{N(p.NotRouted)}</td><td>{N(p.DefaultModel)}</td><td>{N(p.OutOfDistribution)}</td></tr>");
        }

        body.Append("</tbody></table><p class=\"note\">Not routed: the product is not under Products and the default model was not trained on it (REVIEW PRODUCT_NOT_ROUTED; its unusable files are still ERROR). Out of distribution: the template lies beyond the bound of what the model was trained on (REVIEW OUT_OF_DISTRIBUTION, or flagged).</p></section>");
        return body.ToString();
    }

    private static string FilterForm(DashboardFilter f, Summary summary)
    {
        var products = string.Concat(summary.Stats.PerProduct.Select(p => $"<option value=\"{E(p.Key)}\">"));
        var verdicts = string.Concat(new[] { "", "OK", "NG", "REVIEW", "ERROR" }.Select(v =>
            $"<option value=\"{v}\"{(string.Equals(f["verdict"], v, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{(v.Length == 0 ? "any" : v)}</option>"));
        var query = f.ToQueryString();
        return $"""
            <form id="filter" method="get" action="/">
            <label>since <input name="since" value="{E(f["since"])}" placeholder="2h, 7d or ISO" size="10"></label>
            <label>until <input name="until" value="{E(f["until"])}" placeholder="ISO or 1h" size="10"></label>
            <label>product <input name="product" value="{E(f["product"])}" list="products" size="10"></label><datalist id="products">{products}</datalist>
            <label>verdict <select name="verdict">{verdicts}</select></label>
            <label>score ≥ <input name="min" value="{E(f["min"])}" size="6" inputmode="decimal"></label>
            <label>≤ <input name="max" value="{E(f["max"])}" size="6" inputmode="decimal"></label>
            <label>rows <input name="limit" value="{E(f["limit"])}" placeholder="100" size="4" inputmode="numeric"></label>
            <button type="submit">Apply</button>
            <a class="button" id="export-csv" href="/export.csv{E(query)}">CSV</a>
            <a href="/api/verdicts{E(query)}">JSON</a>
            <a id="labels-zip" href="/labels.zip{E(query)}" title="pairs and labels.csv for the lab (supervisors)">Labels</a>
            </form>
            """;
    }

    private static string Counts(Summary summary)
    {
        var all = summary.Stats.All;
        string Card(string id, string label, string value, string css = "") => $"<div class=\"card {css}\"><span class=\"label\">{label}</span><span class=\"value\" id=\"{id}\">{value}</span></div>";
        return $"<section class=\"cards\" id=\"counts\">{Card("count-total", "pairs", N(all.Pairs))}{Card("count-ok", "OK", N(all.Ok), "ok")}"
            + $"{Card("count-ng", "NG", N(all.Ng), "ng")}{Card("count-review", "REVIEW", N(all.Review), "review")}{Card("count-error", "ERROR", N(all.Error), "error")}"
            + $"{Card("ng-rate", "NG rate", N(all.NgPercent, "0.0") + " %")}</section>";
    }

    // The per-product table links each product's drift trend page.
    private static string StatsTable(string title, string id, IReadOnlyList<VerdictCounts> rows, bool drift = false)
    {
        var body = new StringBuilder($"<div><h2>{title}</h2><table class=\"stats\" id=\"{id}\"><thead><tr><th></th><th>pairs</th><th>OK</th><th>NG</th><th>REVIEW</th><th>ERROR</th><th>NG %</th>{(drift ? "<th>trend</th>" : "")}</tr></thead><tbody>");
        foreach (var r in rows)
        {
            var trend = drift ? $"<td><a class=\"drift-link\" href=\"/drift/{Uri.EscapeDataString(r.Key)}\">drift</a></td>" : "";
            body.Append($"<tr><th>{E(r.Key)}</th><td>{N(r.Pairs)}</td><td>{N(r.Ok)}</td><td>{N(r.Ng)}</td><td>{N(r.Review)}</td><td>{N(r.Error)}</td><td>{N(r.NgPercent, "0.0")}</td>{trend}</tr>");
        }

        return body.Append(rows.Count == 0 ? $"<tr><td colspan=\"{(drift ? 8 : 7)}\">no verdicts</td></tr>" : "").Append("</tbody></table></div>").ToString();
    }

    private static string VerdictTable(DashboardFilter filter, IReadOnlyList<StoredVerdict> rows)
    {
        var body = new StringBuilder("<section><h2>Verdicts, newest first</h2><table id=\"verdicts\"><thead><tr><th>seq</th><th>judged (UTC)</th><th>verdict</th>"
            + "<th>product</th><th>pair</th><th>score</th><th>threshold</th><th>reason</th><th>heatmap</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            var (v, heatmap) = (row.Verdict, row.Heatmap);
            var link = $"/verdicts/{Uri.EscapeDataString(v.Id)}";
            var picture = heatmap is null ? "–"
                : $"<a href=\"{link}\"><img class=\"thumb\" alt=\"heatmap\" width=\"48\" height=\"48\" src=\"data:image/png;base64,{Convert.ToBase64String(VerdictPictures.HeatmapPng(heatmap, VerdictHeatmap.Side))}\"></a>";
            body.Append($"<tr data-id=\"{E(v.Id)}\"><td>{N(v.Seq)}</td><td>{Time(v.JudgedAt)}</td><td>{Badge(v.Outcome)}</td><td>{E(v.Product)}</td>"
                + $"<td><a href=\"{link}\">{E(v.PairId)}</a></td><td>{N(v.Score)}</td><td>{N(v.Threshold)}</td><td>{E(v.Reason)}</td><td>{picture}</td></tr>");
        }

        body.Append(rows.Count == 0 ? "<tr><td colspan=\"9\">no verdicts match</td></tr>" : "").Append("</tbody></table>");
        if (rows.Count == filter.Query.Limit)
        {
            body.Append($"<p><a id=\"older\" href=\"/{E(filter.ToQueryString(rows[^1].Verdict.Seq))}\">older →</a></p>");
        }

        return body.Append("</section>").ToString();
    }
}
