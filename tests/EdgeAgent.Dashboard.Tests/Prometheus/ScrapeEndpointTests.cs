using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using EdgeAgent.Dashboard.Prometheus;
using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Dashboard.Tests.Prometheus;

/// <summary>
/// The dashboard's /metrics over real HTTP: who may read it, and that the agent's meter comes out under the names,
/// types, labels and units README.md, "Prometheus", documents, beside the heartbeat's in-process reader.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScrapeEndpointTests
{
    private const string Token = "0123456789abcdef-line3";
    private const string ScrapeToken = "fedcba9876543210-prometheus";

    [Fact]
    public async Task Metrics_NetworkBindingWithoutToken_Unauthorized()
    {
        await using var rig = await DashboardRig.StartAsync(configure: o => (o.Urls, o.Token) = ("http://0.0.0.0:0", Token));

        using var response = await rig.Http.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("edgeagent_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef-line4")]
    [InlineData("")]
    public async Task Metrics_NetworkBindingWrongToken_Unauthorized(string wrong)
    {
        await using var rig = await DashboardRig.StartAsync(configure: o => (o.Urls, o.Token) = ("http://0.0.0.0:0", Token));

        using var response = await Scrape(rig, wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_NetworkBindingDashboardToken_Served()
    {
        await using var rig = await DashboardRig.StartAsync(configure: o => (o.Urls, o.Token) = ("http://0.0.0.0:0", Token));

        using var response = await Scrape(rig, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE edgeagent_outbox_backlog gauge", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_NetworkBindingScrapeOnlyToken_ServedButOpensNoPage()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "metrics.token");
        File.WriteAllText(file, ScrapeToken + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var scoped = await DashboardRig.StartAsync(configure: o => (o.Urls, o.Token) = ("http://0.0.0.0:0", Token), metricsOptions: new MetricsOptions { TokenFile = file });

        using var metrics = await Scrape(scoped, ScrapeToken);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/api/health") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken) } };
        using var refused = await scoped.Http.SendAsync(page);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Metrics_LoopbackOnlyWithDashboardToken_ServedWithoutToken()
    {
        await using var rig = await DashboardRig.StartAsync(configure: o => o.Token = Token);

        using var metrics = await rig.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var page = await rig.Http.GetAsync(new Uri("/api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterMeasurements_DocumentedNamesTypesLabelsAndValues()
    {
        await using var rig = await DashboardRig.StartAsync();
        using var reader = new MetricsReader(rig.Metrics);
        var metrics = rig.Metrics;
        metrics.PairJudged(VerdictKind.Ok, null, "UBM");
        metrics.PairJudged(VerdictKind.Ok, null, "UBM");
        metrics.PairJudged(VerdictKind.Ng, "SCORE_OVER_THRESHOLD", "M1");
        metrics.PairRouted("UBM", "trained");
        metrics.PairOutOfDistribution("M1", review: true);
        metrics.DriftRaised("UBM", "score");
        metrics.StageTime(AgentMetrics.Stage.Score, TimeSpan.FromMilliseconds(0.2));
        metrics.ModelRun("stpm", "Cpu", TimeSpan.FromMilliseconds(40));
        metrics.ObserveQueue("candidates", () => 3);
        metrics.ObserveOutbox(() => 7);

        var text = await rig.GetStringAsync("/metrics");

        Assert.Contains("# TYPE edgeagent_pairs_total counter", text, StringComparison.Ordinal);
        Assert.Equal(2, Sample(text, "edgeagent_pairs_total", ("verdict", "OK"), ("reason", "none"), ("product", "UBM")));
        Assert.Equal(1, Sample(text, "edgeagent_pairs_total", ("verdict", "NG"), ("reason", "SCORE_OVER_THRESHOLD"), ("product", "M1")));
        Assert.Contains("# TYPE edgeagent_pairs_routed_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "edgeagent_pairs_routed_total", ("product", "UBM"), ("route", "trained")));
        Assert.Contains("# TYPE edgeagent_pairs_out_of_distribution_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "edgeagent_pairs_out_of_distribution_total", ("product", "M1"), ("action", "review")));
        Assert.Contains("# TYPE edgeagent_drift_events_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "edgeagent_drift_events_total", ("product", "UBM"), ("series", "score")));
        Assert.Contains("# TYPE edgeagent_model_runs_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample(text, "edgeagent_model_runs_total", ("model", "stpm"), ("provider", "Cpu")));
        Assert.Contains("# TYPE edgeagent_stage_duration_seconds histogram", text, StringComparison.Ordinal);
        // AgentMetrics' bucket advice is kept: 0.2 ms falls in the 0.25 ms bucket, not the 0.1 ms one.
        Assert.Equal(0, Sample(text, "edgeagent_stage_duration_seconds_bucket", ("stage", "score"), ("le", "0.0001")));
        Assert.Equal(1, Sample(text, "edgeagent_stage_duration_seconds_bucket", ("stage", "score"), ("le", "0.00025")));
        Assert.Equal(1, Sample(text, "edgeagent_stage_duration_seconds_count", ("stage", "model_run")));
        Assert.Equal(0.04, Sample(text, "edgeagent_stage_duration_seconds_sum", ("stage", "model_run")), 6);
        Assert.Contains("# TYPE edgeagent_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Equal(3, Sample(text, "edgeagent_queue_depth", ("queue", "candidates")));
        Assert.Contains("# TYPE edgeagent_outbox_backlog gauge", text, StringComparison.Ordinal);
        Assert.Equal(7, Sample(text, "edgeagent_outbox_backlog"));
        // The heartbeat's reader sees the same measurements beside the exporter.
        Assert.Equal(3, reader.Sum(AgentMetrics.Pairs));
        Assert.Equal(7, reader.Gauge(AgentMetrics.OutboxBacklog));
    }

    [Fact]
    public async Task Metrics_AnotherMeterOfTheSameName_NotExported()
    {
        await using var rig = await DashboardRig.StartAsync();
        await using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var other = new AgentMetrics(otherServices.GetRequiredService<IMeterFactory>());
        rig.Metrics.PairJudged(VerdictKind.Ok, null, "UBM");
        other.PairJudged(VerdictKind.Ok, null, "UBM");
        other.PairJudged(VerdictKind.Ng, null, "OTHER");

        var text = await rig.GetStringAsync("/metrics");

        Assert.Equal(1, Sample(text, "edgeagent_pairs_total", ("verdict", "OK"), ("reason", "none"), ("product", "UBM")));
        Assert.DoesNotContain("OTHER", text, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> Scrape(DashboardRig rig, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        return await rig.Http.SendAsync(request);
    }

    // The value of the one sample of `name` whose labels are exactly `labels` (in any order), in the text format
    // (a series without labels may come as `name 7` or `name{} 7`).
    private static double Sample(string text, string name, params (string Name, string Value)[] labels)
    {
        var wanted = labels.Select(l => $"{l.Name}=\"{l.Value}\"").Order(StringComparer.Ordinal).ToList();
        var matches = text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => Labels(line, name).SequenceEqual(wanted))
            .ToList();
        Assert.True(matches.Count == 1, $"{matches.Count} samples of {name}{{{string.Join(',', wanted)}}} in:\n{text}");
        var sample = matches[0];
        var value = sample[(sample.Contains('}', StringComparison.Ordinal) ? sample.IndexOf('}', StringComparison.Ordinal) + 1 : name.Length)..];
        return double.Parse(value.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<string> Labels(string line, string name) =>
        line[name.Length] != '{' ? []
        : line[(name.Length + 1)..line.IndexOf('}', StringComparison.Ordinal)].Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
}
