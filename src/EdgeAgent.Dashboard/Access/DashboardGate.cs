using EdgeAgent.Dashboard.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// The dashboard's access middleware. Recognises the caller, in this order: a login session cookie, a bearer token
/// (a user's personal token, else the shared token), the shared token's cookie or <c>?token=…</c> link (which sets
/// that cookie and redirects without the token, so it does not stay in the address bar), else anonymous. Then sets
/// <see cref="HttpContext.User"/> (see <see cref="DashboardCaller"/>) and enforces, for the endpoint matched:
/// anonymous callers only where no shared token is configured (validation keeps such a dashboard on loopback);
/// the endpoint's <see cref="DashboardRoleRequirement"/>; read-only for viewers (any other method than GET/HEAD by
/// the shared token: 403); and the anti-forgery token on every state-changing request not made with a bearer token.
/// </summary>
public sealed class DashboardGate(SharedToken shared, UserDirectory users, DashboardAudit audit)
{
    /// <summary>The authentication scheme of the login session cookie.</summary>
    public const string SessionScheme = "edgeagent-session";

    /// <summary>The middleware.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.Request;
        if (shared.Configured && request.Query.TryGetValue("token", out var offered) && offered.Count == 1 && shared.Matches(offered[0]))
        {
            context.Response.Cookies.Append(SharedToken.CookieName, offered[0]!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = request.IsHttps });
            // Query keys match in any case (?Token= is found above), so every spelling is stripped: otherwise the
            // redirect would keep it and loop. A path such as //evil.example/ would redirect to another host: home instead.
            var rest = QueryString.Create(request.Query.Where(q => !string.Equals(q.Key, "token", StringComparison.OrdinalIgnoreCase)));
            context.Response.Redirect(LocalPath.OrHome((request.PathBase + request.Path).ToUriComponent()) + rest);
            return;
        }

        var caller = await IdentifyAsync(context).ConfigureAwait(false);
        if (caller is null)
        {
            await Refuse.Unauthenticated(context, "the bearer token is not valid").ConfigureAwait(false);
            return;
        }

        context.User = caller.ToPrincipal();
        var endpoint = context.GetEndpoint();
        var unsafeMethod = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        if (endpoint?.Metadata.GetMetadata<PublicEndpoint>() is null && await Denied(context, caller, endpoint, unsafeMethod).ConfigureAwait(false))
        {
            return;
        }

        if (unsafeMethod && caller.Method != DashboardAccessMethod.Bearer && !await AntiforgeryValid(context, caller).ConfigureAwait(false))
        {
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    // True when the request was answered with a refusal.
    private async Task<bool> Denied(HttpContext context, DashboardCaller caller, Endpoint? endpoint, bool unsafeMethod)
    {
        var anonymousRefused = caller.Method == DashboardAccessMethod.Anonymous && shared.Configured;
        var requirement = endpoint?.Metadata.GetMetadata<DashboardRoleRequirement>();
        if (anonymousRefused || (caller.Method == DashboardAccessMethod.Anonymous && (unsafeMethod || requirement?.Allows(caller) == false)))
        {
            await Refuse.Unauthenticated(context, "sign in first").ConfigureAwait(false);
            return true;
        }

        if (unsafeMethod && caller.Method == DashboardAccessMethod.SharedToken)
        {
            await Refuse.Forbidden(context, "the shared dashboard token is read-only: sign in, or use a personal token (edgeagent users token NAME)").ConfigureAwait(false);
            return true;
        }

        if (requirement?.Allows(caller) == false)
        {
            await Refuse.Forbidden(context, $"this needs the role {string.Join(" or ", requirement.Roles.Select(r => r.Name()))}; you are {caller.Role.Name()}").ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async Task<bool> AntiforgeryValid(HttpContext context, DashboardCaller caller)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            if (await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
            {
                return true;
            }
        }
        catch (AntiforgeryValidationException e) when (e.InnerException is BadHttpRequestException bad)
        {
            // The body could not be read at all (over Kestrel's 16 KiB limit): the caller's mistake, with its status.
            await Responses.Text(context, bad.StatusCode, $"The request was refused: {bad.Message}").ConfigureAwait(false);
            return false;
        }
        catch (AntiforgeryValidationException e) when (e.InnerException is InvalidDataException)
        {
            // ASP.NET Core's form reader refuses some characters outright (NUL): the form cannot be read at all.
            audit.Record("request-refused", caller.Name, $"{context.Request.Method} {Truncate(context.Request.Path.Value)} with an unreadable form from {Address(context)}");
            await Responses.Text(context, StatusCodes.Status400BadRequest,
                "The form cannot be read: it contains control characters (e.g. NUL). A user name must not contain control characters.").ConfigureAwait(false);
            return false;
        }

        audit.Record("csrf-refused", caller.Name, $"{context.Request.Method} {Truncate(context.Request.Path.Value)} without a valid anti-forgery token, from {Address(context)}");
        await Responses.Text(context, StatusCodes.Status400BadRequest,
            $"The anti-forgery token is missing or wrong: reload the page and try again (scripts: send it as {DashboardAccess.AntiforgeryHeader}, or use a personal bearer token).").ConfigureAwait(false);
        return false;
    }

    private async Task<DashboardCaller?> IdentifyAsync(HttpContext context)
    {
        var session = await context.AuthenticateAsync(SessionScheme).ConfigureAwait(false);
        if (session.Succeeded)
        {
            return DashboardCaller.Of(session.Principal);
        }

        if (Bearer(context.Request) is { } bearer)
        {
            if (users.FindByToken(bearer) is { } user && DashboardRoles.TryParseAccountRole(user.Role, out var role))
            {
                return new DashboardCaller(user.Name, role, DashboardAccessMethod.Bearer);
            }

            return shared.Matches(bearer) ? new DashboardCaller("token", DashboardRole.Viewer, DashboardAccessMethod.SharedToken) : null;
        }

        return shared.Matches(context.Request.Cookies[SharedToken.CookieName])
            ? new DashboardCaller("token", DashboardRole.Viewer, DashboardAccessMethod.SharedToken)
            : DashboardCaller.Anonymous;
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null without one.</summary>
    internal static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The client's address for the audit trail and the login throttle.</summary>
    internal static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string Truncate(string? path) => path is null ? "" : path.Length <= 80 ? path : path[..80] + "…";
}
