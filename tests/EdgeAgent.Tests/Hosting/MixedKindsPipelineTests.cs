using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Models.Store;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// The real agent with two products on two routes of different kinds (STPM + MemSeg combined any-ng; a classifier
/// gating a segmenter), a real mosquitto and a real journal: every pair gets its verdict from its own models, in the
/// order ingest found the pairs, and the models of both routes interleave through one pipeline.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MixedKindsPipelineTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MosquittoBroker _broker;

    public MixedKindsPipelineTests() => _broker = new MosquittoBroker(_temp.Sub("broker"));

    [Fact]
    public async Task Run_ProductsRoutedToDifferentKinds_EachJudgedByItsModelsInIngestOrder()
    {
        var staging = _temp.Sub("staging");
        var truth = SyntheticDataset.Write(staging, new SyntheticDatasetOptions { Count = 12, Seed = 77, NgFraction = 0.5, Products = ["UBM", "M1"] });
        var (watched, data) = (_temp.Sub("aoi"), _temp.Sub("data"));
        var store = new ModelStore(Path.Combine(data, "models"), keepPrevious: 2);
        foreach (var (file, name) in new[] { (Path.Combine(RepoPaths.Root, "models", "default", "memseg_synth.onnx"), "memseg-synth"), (RepoPaths.Tiny("classifier_ok"), "cls"), (RepoPaths.Tiny("pairseg_blob"), "seg") })
        {
            store.ImportLocal(file, name, "1.0.0");
            store.Activate(name, "1.0.0");
        }

        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = _broker.Port, Site = "it", Area = "a", Line = "l", Station = "s" };
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, new Topics(mqtt).Verdict, CancellationToken.None);
        var received = new List<Verdict>();
        var allIn = new TaskCompletionSource();
        consumer.Received += v =>
        {
            lock (received)
            {
                received.Add(v);
                if (received.Count == truth.Count)
                {
                    allIn.TrySetResult();
                }
            }
        };

        int ReceivedCount()
        {
            lock (received)
            {
                return received.Count;
            }
        }

        var settings = AgentHost.SettingsFor(watched, data, mqtt);
        settings["Model:Path"] = RepoPaths.DefaultModel;
        settings["Ingest:RescanInterval"] = "00:00:01";
        settings["Products:UBM:Models:0"] = "stpm-r18-synth";
        settings["Products:UBM:Models:1"] = "memseg-synth";
        settings["Products:M1:Models:0"] = "cls";
        settings["Products:M1:Models:1"] = "seg";
        settings["Products:M1:Combine"] = "gate";
        // The AOI's product folders exist before the agent starts (a folder made later is found by the next rescan).
        Directory.CreateDirectory(Path.Combine(watched, "UBM"));
        Directory.CreateDirectory(Path.Combine(watched, "M1"));
        using var host = AgentHost.Build(null, settings);
        await host.StartAsync();
        foreach (var (pair, judged) in truth.Select((p, i) => (p, i + 1)))
        {
            // One pair after the other, image then template, each by a rename: the ingest order is the copy order.
            AoiFiles.CopyLikeAnAoi(staging, [pair.ImagePath, pair.TemplatePath], watched);

            // Each pair's verdict before the next pair is copied: the two product folders have a watcher each, and under load
            // their events can interleave, so only a pair already judged fixes the order the next one must come after.
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ReceivedCount() < judged && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(20);
            }
        }

        var completed = await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(120))) == allIn.Task;
        await host.StopAsync();

        Assert.True(completed, $"only {ReceivedCount()} of {truth.Count} verdicts arrived");
        using var log = VerdictLog.OpenReadOnly(Path.Combine(data, "edgeagent.db"));
        var bySeq = log.Find(new VerdictQuery(Limit: 100)).OrderBy(v => v.Seq).ToList();
        Assert.Equal(truth.Select(t => t.Id), bySeq.Select(v => v.PairId));
        foreach (var verdict in bySeq)
        {
            var kinds = string.Join('+', verdict.Models!.Select(m => m.Kind));
            if (verdict.Product == "UBM")
            {
                Assert.Equal(("stpm+memseg", "any-ng"), (kinds, verdict.Combine));
            }
            else
            {
                // The constant classifier says OK to everything: the gate suppresses the constant segmenter's NG.
                Assert.Equal(("classifier+pairseg", "gate", VerdictKind.Ok), (kinds, verdict.Combine, verdict.Outcome));
            }
        }

        Assert.Contains(bySeq, v => v.Product == "UBM");
        Assert.Contains(bySeq, v => v.Product == "M1");
    }

    public void Dispose()
    {
        _broker.Dispose();
        _temp.Dispose();
    }
}
