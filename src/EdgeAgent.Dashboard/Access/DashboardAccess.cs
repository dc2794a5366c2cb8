using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// What endpoints and pages use from the access layer: a role requirement on an endpoint, and the anti-forgery
/// token a page embeds for its forms and its script.
/// </summary>
public static class DashboardAccess
{
    /// <summary>The header dashboard.js sends the anti-forgery token in.</summary>
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>The form field a plain HTML form sends the anti-forgery token in.</summary>
    public const string AntiforgeryField = "__csrf";

    /// <summary>
    /// Lets only callers holding one of <paramref name="roles"/> reach the endpoint (a supervisor also holds operator;
    /// list <see cref="DashboardRole.Viewer"/> to let read-only callers in too). Refused callers get:
    /// not signed in (anonymous, expired session): 401, or for a page a redirect to <c>/login?return=…</c>;
    /// signed in without the role, or the shared token: 403. A state-changing request (not GET/HEAD) that comes with a
    /// session cookie must carry the anti-forgery token (header <see cref="AntiforgeryHeader"/> or form field
    /// <see cref="AntiforgeryField"/>); missing or wrong: 400, audited. A bearer personal token needs none.
    /// </summary>
    public static TBuilder RequireDashboardRole<TBuilder>(this TBuilder builder, params DashboardRole[] roles)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(roles);
        if (roles.Length == 0)
        {
            throw new ArgumentException("name at least one role", nameof(roles));
        }

        var requirement = new DashboardRoleRequirement([.. roles]);
        builder.Add(endpoint => endpoint.Metadata.Add(requirement));
        return builder;
    }

    /// <summary>
    /// The anti-forgery request token for this caller, to embed in a form (<c>&lt;input type="hidden" name="__csrf"&gt;</c>)
    /// or in <c>&lt;meta name="csrf-token"&gt;</c>, which dashboard.js sends back as <see cref="AntiforgeryHeader"/>.
    /// Also sets the anti-forgery cookie it pairs with, so call it before the response starts.
    /// </summary>
    public static string AntiforgeryToken(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        return antiforgery.GetAndStoreTokens(context).RequestToken ?? "";
    }
}

/// <summary>Endpoint metadata: the roles that may reach it (see <see cref="DashboardAccess.RequireDashboardRole"/>).</summary>
/// <param name="Roles">The roles let in.</param>
public sealed record DashboardRoleRequirement(IReadOnlyList<DashboardRole> Roles)
{
    /// <summary>Whether <paramref name="caller"/> holds one of the roles.</summary>
    public bool Allows(DashboardCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Roles.Any(caller.Has);
    }
}

/// <summary>Endpoint metadata: reachable without signing in (the login page, the stylesheet and script it needs).</summary>
internal sealed class PublicEndpoint
{
    public static PublicEndpoint Instance { get; } = new();
}
