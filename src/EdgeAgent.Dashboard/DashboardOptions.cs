using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Hosting;

namespace EdgeAgent.Dashboard;

/// <summary>
/// Configuration section <c>Dashboard</c>: the supervisors' local web page. Bound to loopback by default; anything
/// reachable from other machines needs a token (see <see cref="DashboardOptionsValidation"/>).
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Dashboard";

    /// <summary>Serve the dashboard at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where to listen, <c>;</c>-separated <c>http://host:port</c> or <c>https://host:port</c> (host: an IP address,
    /// <c>localhost</c>, or <c>*</c> for every interface; https needs <see cref="CertificateFile"/>). Port 0 picks a free one (tests).
    /// </summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// Host names the dashboard answers to besides IP addresses and <c>localhost</c> (e.g. <c>aoi-box.plant.local</c>,
    /// or <c>*.plant.local</c> for every name under it). A request whose <c>Host</c> is anything else is refused (400),
    /// so a web page that re-points its own name at this box (DNS rebinding) cannot read the dashboard.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Open connections the dashboard keeps at once, from all clients together. Idle ones are dropped after 30 s, a
    /// request that stalls in its headers after 10 s.
    /// </summary>
    [Range(8, 10_000)]
    public int MaxConnections { get; set; } = 128;

    /// <summary>
    /// Open connections from one client address (a browser opens up to 6): one client holding many idle connections
    /// cannot keep the others out. A connection over it is closed at once.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerAddress { get; set; } = 16;

    /// <summary>The access token (at least 16 characters). Prefer <see cref="TokenFile"/>, which keeps it out of the config.</summary>
    public string? Token { get; set; }

    /// <summary>A file whose first line is the token; it must not be readable by every user (e.g. 0640 root:edgeagent).</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// Counts, histogram and CSV export cover at most this many of the newest verdicts of a filter, read in short
    /// queries, so a wide filter cannot keep the box busy for long.
    /// </summary>
    [Range(100, 1_000_000)]
    public int MaxScan { get; set; } = 50_000;

    /// <summary>
    /// The local accounts (<c>edgeagent users</c>); default <c>users.json</c> in <c>Storage:DataDirectory</c>. Reread
    /// when it changes, so no restart is needed after adding a user.
    /// </summary>
    public string? UsersFile { get; set; }

    /// <summary>How long a login session lasts without a request (sliding: every request renews it).</summary>
    [Range(5, 24 * 60)]
    public int SessionMinutes { get; set; } = 8 * 60;

    /// <summary>A PEM certificate (chain) for the <c>https://</c> addresses of <see cref="Urls"/>.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertificateFile"/> (unencrypted; keep it 0640 root:edgeagent).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The certificate with its key, from <see cref="CertificateFile"/> and <see cref="KeyFile"/>; null when not set.</summary>
    public X509Certificate2? LoadCertificate() =>
        string.IsNullOrEmpty(CertificateFile) || string.IsNullOrEmpty(KeyFile) ? null : X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);

    /// <summary>The configured token: <see cref="Token"/>, or the first line of <see cref="TokenFile"/>; null when neither is set.</summary>
    public string? ResolveToken() =>
        !string.IsNullOrEmpty(TokenFile) ? SecretFile.FirstLine(TokenFile).Trim()
        : string.IsNullOrEmpty(Token) ? null : Token.Trim();
}
