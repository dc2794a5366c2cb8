using System.Text;
using EdgeAgent.Dashboard.Data;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Audit;
using static EdgeAgent.Dashboard.Pages.Html;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The model history: per model name the active version, the activations that led to it (the store's
/// <c>store.json</c>) and the versions installed, then the audit trail (pushes, rejections, activations,
/// rollbacks, threshold changes) newest first.
/// </summary>
public static class ModelsPage
{
    /// <summary>The page body.</summary>
    public static string Body(ModelStore store, IReadOnlyList<AuditEntry> audit)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(audit);
        var body = new StringBuilder("<h2>Models in the store</h2>");
        if (store.Recovery is { } recovery)
        {
            body.Append($"<p class=\"alert\">{E(recovery)}</p>");
        }

        foreach (var name in store.Names())
        {
            var active = store.Active(name)?.Version;
            var activations = store.Activations(name);
            body.Append($"<h3>{E(name)}: active {E(active ?? "none")}</h3>");
            body.Append($"<p>Activated, newest first: {E(activations.Count == 0 ? "never" : string.Join(" ← ", activations.Reverse()))}</p>");
            body.Append("<table class=\"models\"><thead><tr><th>version</th><th>installed (UTC)</th><th>signed by</th><th>model sha256</th><th>notes</th></tr></thead><tbody>");
            foreach (var m in store.Versions(name).Reverse())
            {
                var css = m.Version == active ? " class=\"active\"" : "";
                body.Append($"<tr{css}><td>{E(m.Version)}</td><td>{Time(m.InstalledAt)}</td><td>{E(m.KeyId)}</td><td><code>{E(m.Sha256[..Math.Min(16, m.Sha256.Length)])}…</code></td><td>{E(m.Manifest.Notes)}</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        body.Append("<h2>Audit trail, newest first</h2><table id=\"audit\"><thead><tr><th>at (UTC)</th><th>action</th><th>actor</th><th>product</th><th>model</th><th>version</th><th>detail</th></tr></thead><tbody>");
        foreach (var a in audit)
        {
            body.Append($"<tr><td>{Time(a.At)}</td><td>{E(a.Action)}</td><td>{E(a.Actor)}</td><td>{E(a.Product)}</td><td>{E(a.Model)}</td><td>{E(a.Version)}</td><td>{E(a.Detail)}</td></tr>");
        }

        body.Append(audit.Count == 0 ? "<tr><td colspan=\"7\">nothing recorded yet</td></tr>" : "").Append("</tbody></table>");
        if (AuditPaging.Next(audit, a => a.Id) is { } next)
        {
            body.Append($"<p><a id=\"older\" href=\"/models?before={next.ToString(System.Globalization.CultureInfo.InvariantCulture)}\">Older entries</a></p>");
        }

        return body.ToString();
    }
}
