using EdgeAgent.Dashboard.Pages;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Access;

/// <summary>The login form: plain HTML, its anti-forgery token in a hidden field.</summary>
internal static class LoginPage
{
    public static string Render(HttpContext context, string back, string? message, string name)
    {
        var csrf = DashboardAccess.AntiforgeryToken(context);
        var alert = message is null ? "" : $"<p class=\"alert\" id=\"login-message\">{Html.E(message)}</p>";
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · EdgeAgent</title>
            <link rel="stylesheet" href="/static/dashboard.css">
            </head>
            <body>
            <header><div class="brand"><strong>EdgeAgent</strong></div></header>
            <main class="login">
            <h1>Sign in</h1>
            {alert}
            <form method="post" action="/login" id="login">
            <input type="hidden" name="{DashboardAccess.AntiforgeryField}" value="{Html.E(csrf)}">
            <input type="hidden" name="return" value="{Html.E(back)}">
            <label>User name <input name="name" autocomplete="username" required maxlength="64" value="{Html.E(name)}" autofocus></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
            </form>
            <p class="hint">Accounts: <code>edgeagent users add NAME --role operator --password-file F</code> on the box.</p>
            </main>
            </body>
            </html>
            """;
    }
}
