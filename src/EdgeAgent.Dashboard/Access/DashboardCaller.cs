using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Access;

/// <summary>How a dashboard caller proved who they are.</summary>
public enum DashboardAccessMethod
{
    /// <summary>Nothing: a loopback-only dashboard without a shared token lets such a caller read.</summary>
    Anonymous,

    /// <summary>The old shared token (<c>Dashboard:Token</c>/<c>TokenFile</c>): read-only.</summary>
    SharedToken,

    /// <summary>A login session cookie; its state-changing requests need the anti-forgery token.</summary>
    Session,

    /// <summary>A user's personal API token (<c>Authorization: Bearer …</c>, <c>edgeagent users token</c>).</summary>
    Bearer,
}

/// <summary>
/// Who called: the user name (<c>token</c> or <c>anonymous</c> for a viewer), the role and how it was proven.
/// Read it with <see cref="Of(HttpContext)"/> after the dashboard's access middleware has run (it always has, for an endpoint).
/// </summary>
/// <param name="Name">The user name, or <c>token</c>/<c>anonymous</c>.</param>
/// <param name="Role">The role; <see cref="DashboardRole.Viewer"/> for the shared token and anonymous callers.</param>
/// <param name="Method">How the caller was recognised.</param>
public sealed record DashboardCaller(string Name, DashboardRole Role, DashboardAccessMethod Method)
{
    /// <summary>The claim type that carries <see cref="Method"/> (lower-case, e.g. <c>session</c>).</summary>
    public const string MethodClaim = "edgeagent:access";

    /// <summary>The anonymous read-only caller.</summary>
    public static DashboardCaller Anonymous { get; } = new("anonymous", DashboardRole.Viewer, DashboardAccessMethod.Anonymous);

    /// <summary>Whether this caller holds <paramref name="role"/> (a supervisor also holds operator).</summary>
    public bool Has(DashboardRole role) => Role.Grants(role);

    /// <summary>The caller of <paramref name="context"/>, read from <see cref="HttpContext.User"/>; anonymous when nothing is there.</summary>
    public static DashboardCaller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Of(context.User);
    }

    /// <summary>The caller a principal built by the access middleware describes.</summary>
    public static DashboardCaller Of(ClaimsPrincipal? user)
    {
        var name = user?.FindFirst(ClaimTypes.Name)?.Value;
        var role = user?.FindFirst(ClaimTypes.Role)?.Value;
        var method = user?.FindFirst(MethodClaim)?.Value;
        if (name is null || role is null || method is null || !Enum.TryParse<DashboardAccessMethod>(method, ignoreCase: true, out var how))
        {
            return Anonymous;
        }

        var parsed = DashboardRoles.TryParseAccountRole(role, out var r) ? r : DashboardRole.Viewer;
        return new DashboardCaller(name, parsed, how);
    }

    /// <summary>The principal the middleware sets for this caller: name, lower-case role and method as claims.</summary>
    public ClaimsPrincipal ToPrincipal()
    {
        Claim[] claims =
        [
            new(ClaimTypes.Name, Name),
            // Stable per user for the anti-forgery token, which binds itself to this claim.
            new(ClaimTypes.NameIdentifier, Name),
            new(ClaimTypes.Role, Role.Name()),
            new(MethodClaim, Method.ToString().ToLowerInvariant()),
        ];
        // No authentication type for the anonymous caller, so IsAuthenticated stays false for it.
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Method == DashboardAccessMethod.Anonymous ? null : Method.ToString(), ClaimTypes.Name, ClaimTypes.Role));
    }
}
