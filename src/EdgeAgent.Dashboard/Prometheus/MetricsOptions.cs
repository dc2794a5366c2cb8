using EdgeAgent.Hosting;

namespace EdgeAgent.Dashboard.Prometheus;

/// <summary>
/// Configuration section <c>Metrics</c>: who may scrape the dashboard's <c>/metrics</c>. On a loopback-only
/// dashboard anyone on the box may; otherwise a bearer token must be sent: the dashboard's own, or this
/// scrape-only one, so the Prometheus server need not hold a token that also opens the dashboard.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Metrics";

    /// <summary>A file whose first line is the scrape-only token (at least 16 characters; not readable by every user).</summary>
    public string? TokenFile { get; set; }

    /// <summary>The first line of <see cref="TokenFile"/>, or null when none is set.</summary>
    public string? ResolveToken() =>
        string.IsNullOrEmpty(TokenFile) ? null : SecretFile.FirstLine(TokenFile).Trim();
}
