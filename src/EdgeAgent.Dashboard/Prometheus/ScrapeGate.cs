using EdgeAgent.Dashboard.Access;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Prometheus;

/// <summary>
/// Who may read <c>/metrics</c>, apart from the dashboard's own access rules: anyone when every address the
/// dashboard listens on is loopback (only this machine can connect), otherwise a request whose
/// <c>Authorization: Bearer …</c> carries the dashboard's token or <see cref="MetricsOptions.TokenFile"/>'s. A bearer
/// header only: Prometheus sends one (<c>authorization: credentials_file:</c>), and no cookie or link is needed.
/// Compared in constant time over SHA-256 hashes, like the dashboard's token.
/// </summary>
public sealed class ScrapeGate
{
    private readonly bool _open;
    private readonly SharedToken[] _accepted;

    /// <param name="loopbackOnly">Every listening address is loopback.</param>
    /// <param name="tokens">The tokens accepted; null or empty ones are ignored.</param>
    public ScrapeGate(bool loopbackOnly, IEnumerable<string?> tokens)
    {
        _open = loopbackOnly;
        _accepted = [.. tokens.Where(t => !string.IsNullOrEmpty(t)).Select(t => new SharedToken(t))];
    }

    /// <summary>The gate for a dashboard with <paramref name="dashboard"/>'s addresses, its resolved token and the scrape-only one.</summary>
    public static ScrapeGate For(DashboardOptions dashboard, string? dashboardToken, MetricsOptions metrics)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(metrics);
        // Validated at start (DashboardOptionsValidation), so every address parses here.
        var loopbackOnly = ListenAddress.Split(dashboard.Urls).All(url => ListenAddress.TryParse(url, out var address, out _) && address.IsLoopback);
        return new ScrapeGate(loopbackOnly, [dashboardToken, metrics.ResolveToken()]);
    }

    /// <summary>The middleware of the <c>/metrics</c> branch.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_open || Accepted(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgeagent metrics\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            "This dashboard listens beyond this machine: /metrics needs 'Authorization: Bearer <token>' with the token of "
            + "Metrics:TokenFile or Dashboard:TokenFile.\n", context.RequestAborted).ConfigureAwait(false);
    }

    private bool Accepted(HttpRequest request)
    {
        if (DashboardGate.Bearer(request) is not { } bearer)
        {
            return false;
        }

        // Every token is compared, matched or not, so the time taken does not tell which one matched.
        var match = false;
        foreach (var accepted in _accepted)
        {
            match |= accepted.Matches(bearer);
        }

        return match;
    }
}
