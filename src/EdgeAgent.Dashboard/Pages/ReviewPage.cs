using System.Text;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The review queue: REVIEW pairs first, oldest first, then the spot-check picks. Each entry shows the three pictures,
/// every model's say and the reason, with one key for OK (<c>o</c>) and one for NG (<c>n</c>), a defect class
/// (keys <c>1</c>–<c>9</c>) and a comment. dashboard.js sends the decision to the same API scripts use.
/// </summary>
public static class ReviewPage
{
    /// <summary>The page body; <paramref name="csrf"/> is the request's anti-forgery token the script sends back.</summary>
    public static string Body(IReadOnlyList<StoredVerdict> entries, (int Review, int SpotChecks) waiting, Func<Verdict, IReadOnlyList<string>> classesFor, string csrf)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(classesFor);
        var body = new StringBuilder();
        body.Append($"<h2>Review queue</h2><p class=\"note\" id=\"queue-length\">{N(waiting.Review)} REVIEW pair(s) and {N(waiting.SpotChecks)} spot check(s) wait for a person. "
            + "Keys: <kbd>o</kbd> OK · <kbd>n</kbd> NG · <kbd>1</kbd>–<kbd>9</kbd> defect class · <kbd>c</kbd> comment · <kbd>j</kbd>/<kbd>k</kbd> next/previous.</p>");
        body.Append($"<div id=\"review\" data-csrf=\"{E(csrf)}\">");
        if (entries.Count == 0)
        {
            body.Append("<p class=\"note\" id=\"queue-empty\">Nothing to review.</p>");
        }

        foreach (var stored in entries)
        {
            var v = stored.Verdict;
            var id = Uri.EscapeDataString(v.Id);
            var spot = v.Outcome != VerdictKind.Review;
            body.Append($"<section class=\"review-entry\" tabindex=\"0\" data-id=\"{E(v.Id)}\">");
            body.Append($"<h3>{Badge(v.Outcome)} {(spot ? "<small>spot check</small> " : "")}<a href=\"/verdicts/{id}\">{E(v.Product)} / {E(v.PairId)}</a> "
                + $"<small>{E(v.Reason)} {E(v.Detail)}</small></h3>");
            body.Append("<div class=\"pictures\">");
            body.Append(Figure(id, "template", "template"));
            body.Append(Figure(id, "image", "image, aligned"));
            if (stored.Heatmaps.Count > 0)
            {
                body.Append(Figure(id, "overlay", "heatmap overlay"));
            }

            body.Append("</div><table class=\"fields\">");
            body.Append($"<tr><th>score / threshold</th><td>{N(v.Score, "0.0000")} / {N(v.Threshold, "0.0000")}</td></tr>");
            foreach (var m in v.Models ?? [])
            {
                var classes = m.Classes is { Count: > 0 } c ? " · " + E(string.Join(", ", c.Select(x => $"{x.Name} {x.P:0.00}"))) : "";
                body.Append($"<tr><th>{E(m.Name)}</th><td>{Badge(m.Outcome)} {N(m.Score, "0.0000")} / {N(m.Threshold, "0.0000")} {E(m.Reason)}{classes}</td></tr>");
            }

            body.Append($"<tr><th>judged</th><td>{Time(v.JudgedAt)}</td></tr></table>");
            body.Append("<form class=\"decide\"><select name=\"defectClass\"><option value=\"\">(no defect class)</option>");
            var index = 1;
            foreach (var name in classesFor(v))
            {
                body.Append($"<option value=\"{E(name)}\">{(index <= 9 ? $"{index} · " : "")}{E(name)}</option>");
                index++;
            }

            body.Append("</select> <input name=\"comment\" maxlength=\"500\" placeholder=\"comment\"> "
                + "<button type=\"button\" data-decision=\"OK\">OK (o)</button> <button type=\"button\" data-decision=\"NG\">NG (n)</button> "
                + "<span class=\"decision-status\" role=\"status\"></span></form></section>");
        }

        body.Append("</div>");
        return body.ToString();
    }

    private static string Figure(string id, string name, string caption) =>
        $"<figure><img loading=\"lazy\" src=\"/verdicts/{id}/{name}.png\" alt=\"{caption}\"><figcaption>{caption}</figcaption></figure>";
}
