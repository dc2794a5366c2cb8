using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// Lets a request through when no token is configured (loopback only: validation refuses other addresses without
/// one), or when it carries the token: <c>Authorization: Bearer …</c> (scripts), the cookie this gate sets, or
/// <c>?token=…</c> once in a link, which sets that cookie and redirects to the same address without the token, so
/// it does not stay in the address bar or the history. Compared in constant time: both sides are hashed to
/// SHA-256 first, so neither the content nor the length of a wrong guess changes the time taken.
/// </summary>
public sealed class TokenGate(string? token)
{
    /// <summary>The cookie that carries the token after the first visit.</summary>
    public const string CookieName = "edgeagent_dashboard";

    private readonly byte[]? _expected = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The middleware.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        if (request.Query.TryGetValue("token", out var offered) && offered.Count == 1 && Matches(offered[0]))
        {
            context.Response.Cookies.Append(CookieName, offered[0]!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            var rest = QueryString.Create(request.Query.Where(q => q.Key != "token"));
            context.Response.Redirect(request.PathBase + request.Path + rest);
            return;
        }

        if (Matches(Bearer(request)) || Matches(request.Cookies[CookieName]))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgeagent dashboard\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            "This dashboard needs its token: open it once as /?token=<token> (the line engineer has it: Dashboard:TokenFile), "
            + "or send 'Authorization: Bearer <token>'.\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private bool Matches(string? offered) =>
        offered is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(offered)), _expected);
}
