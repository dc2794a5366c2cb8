using System.Text;
using EdgeAgent.Dashboard.Pictures;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// One verdict: template crop | aligned image crop | heatmap overlay side by side (or the stored heatmap alone, saying
/// why, once the AOI files are gone), and every field of the verdict a supervisor asks "why?" with.
/// </summary>
public static class DetailPage
{
    /// <summary>The page body.</summary>
    public static string Body(StoredVerdict stored, PictureSet pictures)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(pictures);
        var v = stored.Verdict;
        var id = Uri.EscapeDataString(v.Id);
        var body = new StringBuilder();
        body.Append($"<h2>{Badge(v.Outcome)} {E(v.Product)} / {E(v.PairId)}</h2>");
        body.Append("<section class=\"pictures\">");
        if (pictures.Missing is null)
        {
            body.Append(Figure(id, "template", "template (centre crop)"));
            body.Append(Figure(id, "image", "image, aligned to the template"));
            body.Append(pictures.Overlay is null ? "" : Figure(id, "overlay", $"{E(stored.Heatmaps.FirstOrDefault()?.Model)} heatmap overlay (red = 2× threshold; white boxes: defect regions)"));
        }
        else
        {
            body.Append($"<p class=\"note\" id=\"files-missing\">The AOI images are not shown: {E(pictures.Missing)}.</p>");
            body.Append(pictures.Heatmap is null ? "" : Figure(id, "heatmap", "stored heatmap (red = 2× threshold)"));
        }

        for (var i = 0; i < pictures.MoreHeatmaps.Count; i++)
        {
            body.Append(Figure(id, $"heatmap-{i + 2}", $"{E(stored.Heatmaps[i + 1].Model)}: stored heatmap (red = 2× threshold)"));
        }

        if (pictures.Heatmap is null)
        {
            body.Append($"<p class=\"note\">No heatmap: the model did not score this pair{(v.Reason is null ? "" : $" ({E(v.Reason)})")}.</p>");
        }

        body.Append("</section><table class=\"fields\" id=\"fields\">");
        void Row(string name, string value) => body.Append($"<tr><th>{name}</th><td>{value}</td></tr>");
        Row("verdict", $"{Badge(v.Outcome)} {E(v.Reason)}");
        Row("detail", E(v.Detail));
        Row("score / threshold", $"{N(v.Score, "0.0000")} / {N(v.Threshold, "0.0000")}");
        Row("layers 1..3", v.Layers is null ? "–" : E(string.Join("  ", v.Layers.Select(l => N(l, "0.0000")))));
        Row("peak", v.Peak is { } p ? $"template ({N(p.X, "0.0")}, {N(p.Y, "0.0")}), AOI image ({N(p.ImageX, "0.0")}, {N(p.ImageY, "0.0")})" : "–");
        Row("alignment", v.Alignment is { } a ? $"dx {N(a.Dx, "0.00")} px, dy {N(a.Dy, "0.00")} px, angle {N(a.AngleDeg, "0.000")}°, confidence {N(a.Confidence, "0.00")}, residual {N(a.ResidualPx, "0.00")} px{(a.Ambiguous == true ? ", ambiguous" : "")}" : "–");
        Row("route", v.Route is null ? "–" : E(v.Route));
        Row("out of distribution", v.Ood is { } o ? $"template {N(o.Template, "0.00")}, image {N(o.Image, "0.00")} (about 1 = like the training pairs), bound {N(o.Bound, "0.00")}{(o.Beyond ? " — <strong>beyond</strong>" : "")}" : "–");
        Row("lighting", v.Photometry is { } l ? $"brightness {N(l.Brightness, "0.000")}, contrast {N(l.Contrast, "0.000")} (image crop against template crop, about 1 = as the template shows it)" : "–");
        Row("model", v.Model is { } m ? $"{E(m.Name)} {E(m.Version)} on {E(m.Provider)}{(v.Combine is null ? "" : $", models combined by {E(v.Combine)}")}" : "–");
        foreach (var said in (v.Models ?? []).Select(m => (Role: "model", Verdict: m)).Append((Role: "shadow", Verdict: v.Shadow!)).Where(s => s.Verdict is not null))
        {
            Row($"{said.Role} {E(said.Verdict.Name)}", ModelLine(said.Verdict));
        }

        Row("judged", $"{Time(v.JudgedAt)} (seq {N(v.Seq)}, id {E(v.Id)})");
        Row("trace", E(string.Join("  ", v.Trace.Select(t => $"{t.Key} {t.Value}"))));
        Row("image", $"{E(v.Image.Path)}<br><small>sha256 {E(v.Image.Sha256)}</small>");
        Row("template", v.Template is { } t ? $"{E(t.Path)}<br><small>sha256 {E(t.Sha256)}</small>" : "–");
        Row("timings", $"decode {N(v.TimingsMs.Decode, "0.0")} · align {N(v.TimingsMs.Align, "0.0")} · infer {N(v.TimingsMs.Infer, "0.0")} · score {N(v.TimingsMs.Score, "0.0")} · total {N(v.TimingsMs.Total, "0.0")} ms");
        body.Append($"</table><p><a href=\"/\">← all verdicts</a> · <a href=\"/api/verdicts/{id}\">JSON</a></p>");
        return body.ToString();
    }

    // One model's say: kind, version, score against threshold, its verdict, and the classes and regions it found.
    private static string ModelLine(ModelVerdict m)
    {
        var line = new StringBuilder($"{E(m.Kind)} {E(m.Version)}: {Badge(m.Outcome)} score {N(m.Score, "0.0000")} / {N(m.Threshold, "0.0000")}");
        line.Append(m.Detail is null ? "" : $" — {E(m.Detail)}");
        if (m.Classes is { Count: > 0 } classes)
        {
            line.Append("<br><small>classes ").Append(E(string.Join(", ", classes.Select(c => $"{c.Name} {c.P:0.000}")))).Append("</small>");
        }

        foreach (var r in m.Regions ?? [])
        {
            line.Append($"<br><small class=\"region\">region {E(r.Class)} p {N(r.Max, "0.000")}, {r.Area} px: template ({N(r.Template.X, "0")}, {N(r.Template.Y, "0")}) {N(r.Template.Width, "0")}×{N(r.Template.Height, "0")}, AOI image ({N(r.Image.X, "0")}, {N(r.Image.Y, "0")})</small>");
        }

        return line.ToString();
    }

    private static string Figure(string id, string name, string caption) =>
        $"<figure><img id=\"picture-{name}\" src=\"/verdicts/{id}/{name}.png\" alt=\"{caption}\"><figcaption>{caption}</figcaption></figure>";
}
