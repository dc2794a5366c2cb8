using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// Refuses a request whose <c>Host</c> header is not a name of this dashboard (DNS rebinding: a page on
/// <c>evil.example</c> re-points that name at the box, and the browser then sends it the page's requests with
/// <c>Host: evil.example</c>, cookies for the box not included, but reading whatever an anonymous caller may).
/// Allowed: any IP literal (a browser sends the name it resolved, never an address, so a literal cannot be rebound),
/// <c>localhost</c>, and <see cref="DashboardOptions.AllowedHosts"/>. A request without a Host (HTTP/1.0) is no
/// browser's and passes. Runs before everything else, <c>/metrics</c> included.
/// </summary>
internal sealed class HostGate(IEnumerable<string> names)
{
    private readonly StringSegment[] _names = ["localhost", .. names.Select(n => new StringSegment(n))];

    /// <summary>Whether a configured entry is a host name, or <c>*.</c> and a name (every name under it).</summary>
    public static bool IsName(string? entry) =>
        entry is { Length: > 0 } e && Uri.CheckHostName(e.StartsWith("*.", StringComparison.Ordinal) ? e[2..] : e) == UriHostNameType.Dns;

    /// <summary>The middleware.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host;
        if (!host.HasValue || IsAddress(host.Host) || HostString.MatchesAny(host.Value, _names))
        {
            return next(context);
        }

        return Responses.Text(context, StatusCodes.Status400BadRequest,
            "Host not allowed: open the dashboard by the box's IP address or localhost, or add this name to Dashboard:AllowedHosts.");
    }

    // Only an address as browsers write it in Host (dotted quad, bracketed IPv6): the looser forms IPAddress also
    // parses ("1", "0x7f.1") are not needed, so they are not let through.
    private static bool IsAddress(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && v4.ToString() == host;
    }
}
