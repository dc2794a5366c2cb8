using System.Text;
using EdgeAgent.Drift;
using EdgeAgent.Verdicts;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// A product's trend page: every drift series over its recent pairs, with the EWMA the control rule keeps, the
/// calibration window's reference and the control limits; for scores also the rolling OK median and 95th percentile.
/// The EWMA is replayed over the pairs shown from the reference, so it matches the agent's own once the page covers
/// more than a few dozen pairs past the window.
/// </summary>
public static class DriftPage
{
    /// <summary>OK scores the rolling quantiles are taken over.</summary>
    public const int QuantileWindow = 100;

    /// <summary>The page body for <paramref name="recent"/> verdicts of <paramref name="product"/>, newest first as the log returns them.</summary>
    public static string Body(string product, ProductDrift? charts, IReadOnlyList<Verdict> recent, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(options);
        var pairs = recent.Where(v => v.Outcome != VerdictKind.Error).Reverse().ToList();
        var body = new StringBuilder($"<p><a href=\"/?product={Uri.EscapeDataString(product)}\">← verdicts of {E(product)}</a></p>");
        body.Append($"<h2>Drift of {E(product)}</h2>");
        body.Append(Summary(charts, options));
        if (pairs.Count == 0)
        {
            return body.Append("<p class=\"note\">No judged pair of this product in the log.</p>").ToString();
        }

        body.Append($"<p class=\"note\">The newest {N(pairs.Count)} judged pairs, {Time(pairs[0].JudgedAt)} to {Time(pairs[^1].JudgedAt)}. Drift raises an event and a heartbeat reason; it never changes a verdict.</p>");
        foreach (var series in DriftSeries.All)
        {
            body.Append(Section(series, pairs, charts?.Chart(series.Name), options));
        }

        return body.ToString();
    }

    private static string Summary(ProductDrift? charts, DriftOptions options)
    {
        if (charts is null)
        {
            return "<p class=\"note\" id=\"drift-state\">No reference yet: the agent has not judged this product since drift watching began.</p>";
        }

        var alarms = charts.Alarms.Select(a => $"{E(a.Series)} since {(a.AlarmAt is { } at ? Time(at) : "–")}").ToList();
        var state = alarms.Count > 0 ? $"<p class=\"alert\" id=\"drift-state\">Drifting: {string.Join(", ", alarms)}.</p>" : "<p id=\"drift-state\">Within its control limits.</p>";
        return state + $"<p class=\"note\">Reference learned from the first {N(options.Window)} values of each series from {Time(charts.Since)} under model {E(charts.Model?.Name)} {E(charts.Model?.Version)}; EWMA λ {N(options.Lambda, "0.###")}, limits at ± {N(options.L, "0.#")} σ of the EWMA.</p>";
    }

    private static string Section(DriftSeries series, List<Verdict> pairs, EwmaChart? chart, DriftOptions options)
    {
        var dots = pairs.Select((v, i) => (X: i, Y: series.Read(v))).Where(p => p.Y is { } y && double.IsFinite(y)).Select(p => (p.X, p.Y!.Value)).ToList();
        var head = $"<section><h3>{E(series.Label)}</h3>";
        if (dots.Count == 0)
        {
            return head + "<p class=\"note\">Not carried by this product's verdicts.</p></section>";
        }

        var lines = new List<TrendLine>();
        var levels = new List<(string, string, double)>();
        if (chart is not null && chart.Calibrated(options.Window))
        {
            var half = chart.HalfWidth(options);
            levels.AddRange([("reference", "reference", chart.Mean), ("limit", "upper limit", chart.Mean + half), ("limit", "lower limit", chart.Mean - half)]);
            var ewma = chart.Mean;
            lines.Add(new TrendLine("ewma", "EWMA", [.. dots.Select(d => (d.X, ewma = (options.Lambda * d.Item2) + ((1 - options.Lambda) * ewma)))]));
        }

        if (series.Name == "score")
        {
            lines.AddRange(OkQuantiles(pairs, series));
        }

        var note = chart is null || !chart.Calibrated(options.Window) ? $"<p class=\"note\">Learning its reference: {N(chart?.N ?? 0)} of {N(options.Window)} values.</p>" : "";
        return head + TrendSvg.Render("trend-" + series.Name, pairs.Count, dots, lines, levels) + note + "</section>";
    }

    // The median and 95th percentile of the last QuantileWindow OK pairs' score / threshold, at each OK pair.
    private static IEnumerable<TrendLine> OkQuantiles(List<Verdict> pairs, DriftSeries score)
    {
        var ok = pairs.Select((v, i) => (X: i, V: v)).Where(p => p.V.Outcome == VerdictKind.Ok && score.Read(p.V) is not null).Select(p => (p.X, Y: score.Read(p.V)!.Value)).ToList();
        var (median, p95) = (new List<(int, double)>(), new List<(int, double)>());
        for (var i = QuantileWindow - 1; i < ok.Count; i++)
        {
            var window = ok.GetRange(i - QuantileWindow + 1, QuantileWindow).Select(p => p.Y).Order().ToList();
            median.Add((ok[i].X, window[window.Count / 2]));
            p95.Add((ok[i].X, window[(int)(window.Count * 0.95)]));
        }

        return [new TrendLine("quantile", "OK median", median), new TrendLine("quantile p95", "OK 95th percentile", p95)];
    }
}
