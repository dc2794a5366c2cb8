using System.Globalization;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Storage.Log;
using EdgeAgent.Telemetry;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// Integration: the real agent (watcher, alignment, ONNX model, LiteDB, MQTTnet client) against a real
/// mosquitto broker, observed by a separate MQTT client, as the line's MES would.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PipelineIntegrationTests : IDisposable
{
    private readonly ITestOutputHelper _output;

    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;

    public PipelineIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
        _broker = new MosquittoBroker(_temp.Sub("broker"));
    }

    [Fact]
    public async Task Run_PairsDroppedIntoWatchedFolder_OneVerdictMessageAndOneLogRecordEach()
    {
        var staging = _temp.Sub("staging");
        var truth = SyntheticDataset.Write(staging, new SyntheticDatasetOptions { Count = 10, Seed = 4242 });
        var watched = _temp.Sub("aoi");
        var data = _temp.Sub("data");
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "it", Area = "a", Line = "l", Station = "s" };
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, new Topics(mqtt).Verdict, CancellationToken.None);
        var received = new List<Verdict>();
        var expected = truth.Count + 2;
        var allIn = new TaskCompletionSource();
        consumer.Received += v =>
        {
            lock (received)
            {
                received.Add(v);
                if (received.Count == expected)
                {
                    allIn.TrySetResult();
                }
            }
        };

        using var host = AgentHost.Build(null, Settings(watched, data, mqtt));
        await host.StartAsync();
        AoiFiles.CopyLikeAnAoi(staging, truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched); // template after image
        WriteBadPairs(watched);
        var completed = await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(120))) == allIn.Task;
        var metrics = host.Services.GetRequiredService<MetricsReader>();
        // The consumer can have a verdict before the agent has its PUBACK: the last publish timings follow shortly.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); Stage(metrics, AgentMetrics.Stage.Publish) < expected && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }

        await host.StopAsync();

        Assert.True(completed, $"only {received.Count} of {expected} verdicts arrived");
        AssertMetrics(metrics, truth, expected);
        using var log = VerdictLog.OpenReadOnly(Path.Combine(data, "edgeagent.db"));
        var logged = log.Find(new VerdictQuery(Limit: 1000));
        Assert.Equal(expected, logged.Count);
        Assert.Equal(received.Select(v => v.Id).Order(), logged.Select(v => v.Id).Order());
        Assert.Equal(expected, consumer.Deliveries);
        Assert.Equal(0, log.PendingCount());
        Assert.Equal(logged.Count, logged.Select(v => v.Image.Path).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), logged.Select(v => v.Seq).Order());
        // Ids are handed out as ingest releases pairs; the lanes finish in any order but store in that order.
        Assert.Equal(logged.Select(v => v.Id).Order(StringComparer.Ordinal), logged.OrderBy(v => v.Seq).Select(v => v.Id));

        var byPath = received.ToDictionary(v => v.Image.Path);
        foreach (var pair in truth)
        {
            var verdict = byPath[Path.Combine(watched, pair.ImagePath)];
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pair.Id} {pair.DefectKind,-8} truth {(pair.IsDefective ? "NG" : "OK")} → {verdict.Outcome} score {verdict.Score:F3} dx {verdict.Alignment?.Dx:F2}/{pair.Dx:F2}"));
            Assert.Contains(verdict.Outcome, new[] { VerdictKind.Ok, VerdictKind.Ng });
            Assert.Equal(pair.Product, verdict.Product);
            Assert.Equal(pair.Id.Split('_')[0], verdict.Trace["lot"]);
            Assert.NotNull(verdict.Template?.Sha256);
        }

        Assert.Equal(ReasonCode.Truncated, byPath[Path.Combine(watched, "BAD", "cut_image.png")].Reason);
        Assert.Equal(ReasonCode.TemplateMissing, byPath[Path.Combine(watched, "BAD", "lonely_image.png")].Reason);
    }

    // The agent's own instruments saw every pair: by verdict, reason and product, with each stage it reached timed.
    private static void AssertMetrics(MetricsReader metrics, IReadOnlyList<SyntheticPairTruth> truth, int expected)
    {
        Assert.Equal(expected, metrics.Sum(AgentMetrics.Pairs));
        foreach (var product in truth.GroupBy(p => p.Product))
        {
            Assert.Equal(product.Count(), metrics.Sum(AgentMetrics.Pairs, t => t["product"] == product.Key && t["verdict"] is "OK" or "NG"));
        }

        Assert.Equal(1, metrics.Sum(AgentMetrics.Pairs, t => (t["verdict"], t["reason"], t["product"]) == ("ERROR", ReasonCode.Truncated, "BAD")));
        Assert.Equal(1, metrics.Sum(AgentMetrics.Pairs, t => (t["verdict"], t["reason"]) == ("ERROR", ReasonCode.TemplateMissing)));
        Assert.Equal(truth.Count, Stage(metrics, AgentMetrics.Stage.Score));
        Assert.InRange(Stage(metrics, AgentMetrics.Stage.Decode), truth.Count, expected);
        Assert.InRange(Stage(metrics, AgentMetrics.Stage.Align), truth.Count, expected);
        Assert.Equal(metrics.Sum(AgentMetrics.ModelRuns), Stage(metrics, AgentMetrics.Stage.ModelRun));
        Assert.InRange(metrics.Sum(AgentMetrics.ModelRuns, t => t["provider"] == "CPU"), 1, truth.Count);
        Assert.InRange(Stage(metrics, AgentMetrics.Stage.Journal), 1, expected);
        Assert.Equal(expected, Stage(metrics, AgentMetrics.Stage.Publish));
        Assert.True(metrics.Sum(AgentMetrics.StageDuration, t => t["stage"] == AgentMetrics.Stage.Decode) > 0);
    }

    private static long Stage(MetricsReader metrics, string stage) => metrics.Count(AgentMetrics.StageDuration, t => t["stage"] == stage);

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }

    private static Dictionary<string, string?> Settings(string watched, string data, MqttOptions mqtt)
    {
        var settings = AgentHost.SettingsFor(watched, data, mqtt);
        settings["Ingest:TemplateWait"] = "00:00:02";
        settings["Ingest:IncompleteTimeout"] = "00:00:02";
        settings["Ingest:RescanInterval"] = "00:00:01";
        settings["Model:Path"] = RepoPaths.DefaultModel;
        return settings;
    }

    private static void WriteBadPairs(string watched)
    {
        var bad = Path.Combine(watched, "BAD");
        Directory.CreateDirectory(bad);
        var png = File.ReadAllBytes(Directory.EnumerateFiles(watched, "*_image.png", SearchOption.AllDirectories).First());
        File.WriteAllBytes(Path.Combine(bad, "cut_image.png"), png[..(png.Length / 3)]);
        File.WriteAllBytes(Path.Combine(bad, "cut_template.png"), png);
        File.WriteAllBytes(Path.Combine(bad, "lonely_image.png"), png);
    }
}
