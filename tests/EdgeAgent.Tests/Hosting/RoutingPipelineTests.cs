using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// The real agent with the bundled model (trained on UBM and M1), a real mosquitto and a real journal, fed pairs of a
/// product it knows and of a ball-array product nobody configured and no model was trained on: the unknown product is
/// REVIEW <c>PRODUCT_NOT_ROUTED</c> unless the opt-in routes it to the default model, and then the model's own
/// out-of-distribution guard still refuses to vouch for it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RoutingPipelineTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;

    public RoutingPipelineTests() => _broker = new MosquittoBroker(_temp.Sub("broker"));

    [Fact]
    public async Task Run_ProductNeitherConfiguredNorTrained_ReviewProductNotRouted_KnownProductJudged()
    {
        var verdicts = await RunAsync(new Dictionary<string, string?>());

        Assert.All(verdicts.Where(v => v.Product == "BGA1"), v =>
            Assert.Equal((VerdictKind.Review, ReasonCode.ProductNotRouted, "none", (double?)null), (v.Outcome, v.Reason, v.Route, v.Score)));
        Assert.All(verdicts.Where(v => v.Product == "UBM"), v =>
        {
            Assert.Equal("trained", v.Route);
            Assert.True(v.Outcome is VerdictKind.Ok or VerdictKind.Ng, $"UBM pair {v.PairId}: {v.Outcome} {v.Reason} {v.Detail}");
            Assert.False(v.Ood!.Beyond, $"UBM pair {v.PairId} at {v.Ood}");
        });
    }

    [Fact]
    public async Task Run_UnknownProductsOptedIntoTheDefaultModel_JudgedButItsPairsAreOutOfDistribution()
    {
        var verdicts = await RunAsync(new Dictionary<string, string?> { ["Routing:UnknownProducts"] = "DefaultModel" });

        Assert.All(verdicts.Where(v => v.Product == "BGA1"), v =>
        {
            Assert.Equal(("default", VerdictKind.Review, ReasonCode.OutOfDistribution), (v.Route, v.Outcome, v.Reason));
            Assert.True(v.Ood!.Beyond);
            Assert.NotNull(v.Score); // judged: the score is there for the operator, the box just does not vouch for it
        });
        Assert.All(verdicts.Where(v => v.Product == "UBM"), v => Assert.Equal("trained", v.Route));
    }

    [Fact]
    public async Task Run_OutOfDistributionPolicyFlag_VerdictStandsAndTheDistanceSaysBeyond()
    {
        var verdicts = await RunAsync(new Dictionary<string, string?>
        {
            ["Products:BGA1:OutOfDistribution"] = "Flag",
        });

        Assert.All(verdicts.Where(v => v.Product == "BGA1"), v =>
        {
            Assert.Equal("configured", v.Route);
            Assert.True(v.Outcome is VerdictKind.Ok or VerdictKind.Ng, $"BGA1 pair {v.PairId}: {v.Outcome} {v.Reason} {v.Detail}");
            Assert.True(v.Ood!.Beyond);
        });
    }

    private async Task<List<Verdict>> RunAsync(Dictionary<string, string?> overrides)
    {
        var staging = _temp.Sub("staging");
        // Seed 92: its three ball-array pairs all lie beyond the bundled model's bound, as 97.5 % of ball arrays do (README,
        // "Knowing when not to vouch"); the template distances of the misses sit just below it.
        var truth = SyntheticDataset.Write(staging, new SyntheticDatasetOptions { Count = 6, Seed = 92, NgFraction = 0, Products = ["UBM", "BGA1"], MaxShiftPx = 2, MaxAngleDeg = 0.1 });
        var (watched, data) = (_temp.Sub("aoi"), _temp.Sub("data"));
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "it", Area = "a", Line = "l", Station = "s" };
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, new Topics(mqtt).Verdict, CancellationToken.None);
        var received = 0;
        var allIn = new TaskCompletionSource();
        consumer.Received += _ =>
        {
            if (Interlocked.Increment(ref received) == truth.Count)
            {
                allIn.TrySetResult();
            }
        };

        var settings = AgentHost.SettingsFor(watched, data, mqtt);
        settings["Model:Path"] = RepoPaths.DefaultModel;
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();
        AoiFiles.CopyLikeAnAoi(staging, truth.SelectMany(p => new[] { p.ImagePath, p.TemplatePath }), watched);

        var completed = await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(120))) == allIn.Task;
        await host.StopAsync();

        Assert.True(completed, $"only {received} of {truth.Count} verdicts arrived");
        using var log = VerdictLog.OpenReadOnly(Path.Combine(data, "edgeagent.db"));
        var verdicts = log.Find(new VerdictQuery(Limit: 100)).ToList();
        Assert.Equal(truth.Count, verdicts.Count);
        Assert.Contains(verdicts, v => v.Product == "UBM");
        Assert.Contains(verdicts, v => v.Product == "BGA1");
        return verdicts;
    }

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }
}
