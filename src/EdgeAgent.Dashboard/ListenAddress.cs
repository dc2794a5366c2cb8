using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EdgeAgent.Dashboard;

/// <summary>
/// One <c>http://host:port</c> of <see cref="DashboardOptions.Urls"/>. Only plain HTTP: the box has no certificate
/// to serve, so remote access goes through an SSH tunnel or the plant's TLS reverse proxy.
/// </summary>
/// <param name="Host">An IP address, <c>localhost</c> or <c>*</c>.</param>
/// <param name="Port">0..65535; 0 picks a free port.</param>
public sealed record ListenAddress(string Host, int Port)
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
        const string Scheme = "http://";
        if (!url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            error = "only http://host:port is served (use an SSH tunnel or a TLS reverse proxy for encryption)";
            return false;
        }

        var rest = url[Scheme.Length..].TrimEnd('/');
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

        address = new ListenAddress(host, port);
        return true;
    }

    /// <summary>Adds this address to Kestrel's endpoints.</summary>
    public void ListenOn(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (Host == "localhost")
        {
            kestrel.ListenLocalhost(Port);
        }
        else if (AnyHosts.Contains(Host))
        {
            kestrel.ListenAnyIP(Port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(Host), Port);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"http://[{Host}]:{Port}" : $"http://{Host}:{Port}";
}
