using EdgeAgent.Dashboard.Tests.Support;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Dashboard.Tests.Prometheus;

/// <summary>
/// The plant's monitoring as it meets the box: the real agent (watcher, bundled model, journal, a real mosquitto)
/// judges generated pairs behind a dashboard open to the network, and Debian's real Prometheus server scrapes its
/// /metrics with the scrape-only token, as README.md, "Prometheus", configures it. Prometheus' own HTTP API must
/// then return the pairs counter, per verdict, equal to the verdicts in the log.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrometheusScrapeTests : IDisposable
{
    private const string ScrapeToken = "fedcba9876543210-prometheus";
    private readonly TempFolder _temp = new("edgeagent-prometheus-");

    [Fact]
    public async Task Prometheus_ScrapesRealAgent_PairsCounterEqualsTheVerdictsJudged()
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var watched = _temp.Sub("aoi");
        var truth = SyntheticDataset.Write(_temp.Sub("staging"), new SyntheticDatasetOptions { Count = 8, Seed = 11 });
        var tokenFile = Path.Combine(_temp.Path, "metrics.token");
        File.WriteAllText(tokenFile, ScrapeToken + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var host = AgentHost.Build(null, Settings(watched, broker.Port, tokenFile));
        await host.StartAsync();
        try
        {
            AoiFiles.CopyLikeAnAoi(Path.Combine(Path.GetDirectoryName(watched)!, "staging"), truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched);
            var log = host.Services.GetRequiredService<VerdictLog>();
            await RealAgent.UntilAsync(() => log.Count() >= truth.Count, TimeSpan.FromMinutes(3), $"{truth.Count} verdicts in the log");
            var logged = log.Find(new VerdictQuery(Limit: 1000));
            Assert.Equal(truth.Count, logged.Count);
            Assert.Equal(truth.Count, host.Services.GetRequiredService<MetricsReader>().Sum(AgentMetrics.Pairs));
            var dashboard = new Uri(Assert.Single(host.Services.GetRequiredService<DashboardServer>().Addresses));

            using var prometheus = new PrometheusServer(_temp.Sub("prometheus"), $"127.0.0.1:{dashboard.Port}", tokenFile);
            IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>? series = null;
            await RealAgent.UntilAsync(
                async () => (series = await prometheus.QueryAsync("edgeagent_pairs_total")) is { } s && s.Sum(x => x.Value) == truth.Count,
                TimeSpan.FromMinutes(3),
                $"Prometheus to report edgeagent_pairs_total = {truth.Count}",
                () => $"last result: {Describe(series)}\ntargets: {prometheus.TargetsAsync().GetAwaiter().GetResult()}\nlog:\n{prometheus.Log()}");

            foreach (var kind in Enum.GetValues<VerdictKind>())
            {
                var verdict = AgentMetrics.VerdictTag(kind);
                Assert.Equal(logged.Count(v => v.Outcome == kind), series!.Where(s => s.Labels["verdict"] == verdict).Sum(s => s.Value));
            }

            Assert.All(series!, s => Assert.Equal("edgeagent", s.Labels["job"]));
            var stages = await prometheus.QueryAsync("edgeagent_stage_duration_seconds_count{stage=\"model_run\"}");
            Assert.True(stages is [{ Value: > 0 }], $"model runs timed: {Describe(stages)}");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose() => _temp.Dispose();

    private static Dictionary<string, string?> Settings(string watched, int brokerPort, string tokenFile)
    {
        var settings = RealAgent.Settings(watched, Path.Combine(Path.GetDirectoryName(watched)!, "data"), brokerPort);
        // Open to the network, as a plant's Prometheus needs it: the dashboard token guards the pages, the
        // scrape-only token /metrics. The test still only connects to 127.0.0.1.
        settings["Dashboard:Urls"] = "http://0.0.0.0:0";
        settings["Dashboard:Token"] = "0123456789abcdef-dashboard";
        settings["Metrics:TokenFile"] = tokenFile;
        return settings;
    }

    private static string Describe(IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>? series) =>
        series is null ? "(no answer)" : string.Join("; ", series.Select(s => $"{{{string.Join(',', s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}"));

}
