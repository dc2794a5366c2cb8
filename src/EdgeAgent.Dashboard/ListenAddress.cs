using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EdgeAgent.Dashboard;

/// <summary>
/// One <c>http://host:port</c> or <c>https://host:port</c> of <see cref="DashboardOptions.Urls"/>; HTTPS serves the
/// certificate of <see cref="DashboardOptions.CertificateFile"/>.
/// </summary>
/// <param name="Host">An IP address, <c>localhost</c> or <c>*</c>.</param>
/// <param name="Port">0..65535; 0 picks a free port.</param>
/// <param name="Https">Served with TLS.</param>
public sealed record ListenAddress(string Host, int Port, bool Https = false)
{
    private static readonly string[] AnyHosts = ["*", "+", "0.0.0.0", "::"];

    /// <summary>Only this machine can connect.</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The addresses of a <c>;</c>-separated list.</summary>
    public static IReadOnlyList<string> Split(string urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Parses one address; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string url, out ListenAddress address, out string error)
    {
        ArgumentNullException.ThrowIfNull(url);
        address = new ListenAddress("", 0);
        error = "";
        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!https && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            error = "only http://host:port and https://host:port are served";
            return false;
        }

        var rest = url[(https ? "https://" : "http://").Length..].TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = "expected http://host:port with a port from 0 to 65535";
            return false;
        }

        var host = rest[..colon].Trim('[', ']');
        if (host != "localhost" && !AnyHosts.Contains(host) && !IPAddress.TryParse(host, out _))
        {
            error = "the host must be an IP address, localhost or * (host names are not resolved)";
            return false;
        }

        if (host == "localhost" && port == 0)
        {
            error = "port 0 needs an IP address (e.g. http://127.0.0.1:0), not localhost";
            return false;
        }

        address = new ListenAddress(host, port, https);
        return true;
    }

    /// <summary>
    /// Adds this address to Kestrel's endpoints; an HTTPS one serves <paramref name="certificate"/> (validated present at
    /// start). Every connection passes <paramref name="quota"/> first.
    /// </summary>
    public void ListenOn(KestrelServerOptions kestrel, X509Certificate2? certificate, Func<ConnectionDelegate, ConnectionDelegate> quota)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        Action<ListenOptions> tls = listen =>
        {
            // Before TLS: a connection over its client's quota costs no handshake.
            listen.Use(quota);
            if (Https && certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        };
        if (Host == "localhost")
        {
            kestrel.ListenLocalhost(Port, tls);
        }
        else if (AnyHosts.Contains(Host))
        {
            kestrel.ListenAnyIP(Port, tls);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(Host), Port, tls);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{(Https ? "https" : "http")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
