using System.Globalization;
using System.Net;
using System.Text;
using EdgeAgent.Dashboard.Access;
using EdgeAgent.Dashboard.Status;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Pages;

/// <summary>
/// The shared frame of every page (header with the station and the live health badge, navigation) and the
/// formatting helpers. Everything from the log or the files is HTML-encoded here; pages never concatenate raw text.
/// </summary>
public static class Html
{
    /// <summary>HTML-encodes text (null as empty).</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number for display, invariant culture; a dash when absent.</summary>
    public static string N(double? value, string format = "0.000") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    /// <summary>An integer for display, invariant culture.</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A UTC time; the script shows the browser's local time as its tooltip.</summary>
    public static string Time(DateTimeOffset at) =>
        $"<time datetime=\"{at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}</time>";

    /// <summary>A verdict as a coloured badge.</summary>
    public static string Badge(VerdictKind outcome) =>
        $"<span class=\"badge {outcome.ToString().ToLowerInvariant()}\">{outcome.ToString().ToUpperInvariant()}</span>";

    /// <summary>
    /// The whole page around <paramref name="body"/>, with who is signed in (and a logout button) in the header and,
    /// for a session, the anti-forgery token in <c>&lt;meta name="csrf-token"&gt;</c> for dashboard.js.
    /// </summary>
    public static string Page(HttpContext context, string title, StationIdentity station, AgentStatus status, string body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(status);
        var where = $"{station.Site} / {station.Area} / {station.Line} / {station.Station}";
        var caller = DashboardCaller.Of(context);
        var csrf = caller.Method == DashboardAccessMethod.Session ? DashboardAccess.AntiforgeryToken(context) : null;
        var meta = csrf is null ? "" : $"<meta name=\"csrf-token\" content=\"{E(csrf)}\">";
        var page = new StringBuilder(body.Length + 2048);
        page.Append($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · EdgeAgent {E(where)}</title>
            <link rel="stylesheet" href="/static/dashboard.css">
            <script src="/static/dashboard.js" defer></script>
            {meta}
            </head>
            <body>
            <header>
            <div class="brand"><strong>EdgeAgent</strong> <span class="station">{E(where)}</span></div>
            <nav><a href="/">Verdicts</a> <a href="/models">Models</a></nav>
            {HealthBadge(status)}
            {SignedIn(caller, csrf)}
            </header>
            <main>
            """);
        page.Append(body);
        page.Append("""
            </main>
            <footer>Times in UTC (hover for local time). JSON: <a href="/api/verdicts">/api/verdicts</a> · <a href="/api/stats">/api/stats</a> · <a href="/api/models">/api/models</a> · <a href="/api/health">/api/health</a></footer>
            </body>
            </html>
            """);
        return page.ToString();
    }

    // Who is there: a user with a logout button, or the read-only viewer with a way to sign in.
    private static string SignedIn(DashboardCaller caller, string? csrf) => caller.Method switch
    {
        DashboardAccessMethod.Session => $"<form class=\"user\" method=\"post\" action=\"/logout\"><span id=\"user-name\">{E(caller.Name)}</span> <span class=\"role\">{E(caller.Role.Name())}</span>"
            + $"<input type=\"hidden\" name=\"{DashboardAccess.AntiforgeryField}\" value=\"{E(csrf)}\"> <button type=\"submit\" id=\"logout\">Log out</button></form>",
        DashboardAccessMethod.Bearer => $"<div class=\"user\"><span id=\"user-name\">{E(caller.Name)}</span> <span class=\"role\">{E(caller.Role.Name())} (token)</span></div>",
        _ => "<div class=\"user\"><span class=\"role\">read-only</span> <a href=\"/login\" id=\"login-link\">Sign in</a></div>",
    };

    /// <summary>The health badge; the script refreshes it from <c>/api/health</c>.</summary>
    public static string HealthBadge(AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var problems = status.Problems.Count == 0 ? "" : string.Join("; ", status.Problems);
        return $"<div id=\"health\" class=\"health {E(status.State)}\"><span id=\"health-state\">{E(status.State)}</span> <span id=\"health-problems\">{E(problems)}</span></div>";
    }
}
