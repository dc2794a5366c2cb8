using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Testing;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Tests.Hosting;

/// <summary>
/// The verbs that judge pairs and the running service are composed from the same registrations, so one pair
/// gets one score whichever way it is judged: a paired product and a product judged against its golden image,
/// through <c>inspect</c>, <c>calibrate</c> and the service (real broker, real model, one configuration file).
/// </summary>
[Trait("Category", "Integration")]
public sealed class OneCompositionPathTests : IDisposable
{
    private const string Golden = "G";
    private const string Paired = "UBM";
    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Score_SamePairThroughInspectCalibrateAndTheService_Identical()
    {
        var (goldenSuspect, pairedImage, pairedTemplate, config) = Setup();

        var inspected = new Dictionary<string, double>
        {
            [Golden] = InspectScore("--image", goldenSuspect, "--product", Golden, "--config", config),
            [Paired] = InspectScore("--image", pairedImage, "--template", pairedTemplate, "--product", Paired, "--config", config),
        };
        var calibrated = new Dictionary<string, double>
        {
            [Golden] = CalibrateScore(Path.GetDirectoryName(goldenSuspect)!, Golden, config),
            [Paired] = CalibrateScore(Path.GetDirectoryName(pairedImage)!, Paired, config),
        };
        var served = await ServiceScoresAsync(config, goldenSuspect, pairedImage, pairedTemplate);

        foreach (var product in new[] { Golden, Paired })
        {
            // Same model, inputs and code: equal to float precision (the service runs ONNX Runtime on one thread
            // per lane, the verbs on all cores; the sums may round differently in the last bits).
            Assert.Equal(inspected[product], served[product], 1e-5);
            Assert.Equal(inspected[product], calibrated[product], 1e-5);
        }
    }

    public void Dispose() => _temp.Dispose();

    private static double InspectScore(params string[] args)
    {
        var (code, stdout, stderr) = AgentProcess.Run(["inspect", "--json", .. args]);
        Assert.True(code == 0, stderr);
        using var verdict = JsonDocument.Parse(stdout);
        return verdict.RootElement.GetProperty("score").GetDouble();
    }

    // One OK pair in the folder: its score is the maximum of the OK scores calibrate reports.
    private static double CalibrateScore(string folder, string product, string config)
    {
        var (code, stdout, stderr) = AgentProcess.Run("calibrate", "--ok", folder, "--product", product, "--config", config, "--json");
        Assert.True(code == 0, stderr);
        using var calibration = JsonDocument.Parse(stdout);
        Assert.Equal(1, calibration.RootElement.GetProperty("okCount").GetInt32());
        return calibration.RootElement.GetProperty("okQuantiles").GetProperty("max").GetDouble();
    }

    private async Task<Dictionary<string, double>> ServiceScoresAsync(string config, string goldenSuspect, string pairedImage, string pairedTemplate)
    {
        using var broker = new MosquittoBroker(_temp.Sub("broker"));
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = broker.Port, Site = "it", Area = "a", Line = "l", Station = "s" };
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, new Topics(mqtt).Verdict, CancellationToken.None);
        var received = new Dictionary<string, double>();
        var both = new TaskCompletionSource();
        consumer.Received += v =>
        {
            lock (received)
            {
                Assert.True(v.Score is not null, $"{v.Product}: {v.Outcome} {v.Reason} {v.Detail}");
                received[v.Product] = v.Score!.Value;
                if (received.Count == 2)
                {
                    both.TrySetResult();
                }
            }
        };

        var watched = _temp.Sub("aoi");
        var settings = AgentHost.SettingsFor(watched, _temp.Sub("data"), mqtt);
        settings["Ingest:TemplateWait"] = "00:00:02";
        settings["Ingest:RescanInterval"] = "00:00:01";
        using var host = AgentHost.Build(config, settings);
        await host.StartAsync();
        Copy(goldenSuspect, Path.Combine(watched, Golden));
        Copy(pairedTemplate, Path.Combine(watched, Paired));
        Copy(pairedImage, Path.Combine(watched, Paired));
        var arrived = await Task.WhenAny(both.Task, Task.Delay(TimeSpan.FromSeconds(90))) == both.Task;
        await host.StopAsync();
        Assert.True(arrived, $"only {received.Count} of 2 verdicts arrived");
        return received;
    }

    // Written the way an AOI writes: a temp name in the folder, then a rename.
    private static void Copy(string file, string folder)
    {
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, "." + Path.GetFileName(file) + ".tmp");
        File.Copy(file, temp);
        File.Move(temp, Path.Combine(folder, Path.GetFileName(file)));
    }

    /// <summary>
    /// Three generated pairs; the golden of product G is their templates side by side, its suspect the central
    /// 280 px of the first pair's image (as an AOI cuts suspects from inside the die); product UBM judges the
    /// second pair with its own template. One configuration file names the model and the golden.
    /// </summary>
    private (string GoldenSuspect, string PairedImage, string PairedTemplate, string Config) Setup()
    {
        var generated = _temp.Sub("generated");
        var pairs = SyntheticDataset.Write(generated, new SyntheticDatasetOptions { Count = 3, NgFraction = 0, Seed = 77, Size = 352, Products = [Golden] });
        var templates = pairs.Select(p => Cv2.ImRead(Path.Combine(generated, p.TemplatePath), ImreadModes.Grayscale)).ToArray();
        using (var strip = new Mat())
        {
            Cv2.HConcat(templates, strip);
            Cv2.ImWrite(Path.Combine(_temp.Path, "golden-G.png"), strip);
        }

        foreach (var template in templates)
        {
            template.Dispose();
        }

        const int Side = 280;
        var goldenSuspect = Path.Combine(_temp.Sub("suspect"), pairs[0].Id + "_image.png");
        using (var full = Cv2.ImRead(Path.Combine(generated, pairs[0].ImagePath), ImreadModes.Color))
        using (var crop = new Mat(full, new Rect((full.Width - Side) / 2, (full.Height - Side) / 2, Side, Side)))
        {
            Cv2.ImWrite(goldenSuspect, crop);
        }

        var paired = _temp.Sub("paired");
        var pairedImage = Path.Combine(paired, pairs[1].Id + "_image.png");
        var pairedTemplate = Path.Combine(paired, pairs[1].Id + "_template.png");
        File.Copy(Path.Combine(generated, pairs[1].ImagePath), pairedImage);
        File.Copy(Path.Combine(generated, pairs[1].TemplatePath), pairedTemplate);

        var config = Path.Combine(_temp.Path, "edgeagent.json");
        var json = new JsonObject
        {
            ["Model"] = new JsonObject { ["Path"] = RepoPaths.DefaultModel },
            ["Products"] = new JsonObject { [Golden] = new JsonObject { ["GoldenImage"] = Path.Combine(_temp.Path, "golden-G.png") } },
        };
        File.WriteAllText(config, json.ToJsonString());
        return (goldenSuspect, pairedImage, pairedTemplate, config);
    }
}
