using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Access;

/// <summary>How the access layer says no: 401 (or, for a page, a redirect to the login form) and 403.</summary>
internal static class Refuse
{
    /// <summary>
    /// Not signed in, or the session expired: a page (GET, no file extension, not under <c>/api</c>) is redirected to
    /// <c>/login?return=…</c>; anything else gets 401 with how to get in.
    /// </summary>
    public static Task Unauthenticated(HttpContext context, string why)
    {
        var request = context.Request;
        var page = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && !request.Path.StartsWithSegments("/api") && !(request.Path.Value ?? "").Contains('.', StringComparison.Ordinal);
        if (page)
        {
            context.Response.Redirect("/login?return=" + Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString));
            return Task.CompletedTask;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgeagent dashboard\"";
        return Responses.Text(context, StatusCodes.Status401Unauthorized,
            $"Not signed in ({why}): sign in at /login, send 'Authorization: Bearer <personal token>' (edgeagent users token NAME), "
            + "or, read-only, open /?token=<token> once with the shared token (Dashboard:TokenFile).");
    }

    /// <summary>Signed in, but not allowed: 403 with the reason.</summary>
    public static Task Forbidden(HttpContext context, string why) => Responses.Text(context, StatusCodes.Status403Forbidden, $"Forbidden: {why}.");
}
