using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Messaging.Broker;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Signing;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent demo</c>: generates a labelled AOI folder (plus a few deliberately bad files), runs the
/// real agent over it with the bundled model and a broker, prints every verdict as a consumer receives
/// it, and sums up against the known labels.
/// </summary>
internal static class DemoVerb
{
    private const int DemoSeed = 777; // keep apart from the training recipe's seeds (models/train)

    public static Command Command()
    {
        var count = CliOptions.Int("--count", 40, "N", "synthetic pairs to generate");
        var output = CliOptions.Text("--out", "DIR", "working folder (aoi/ and data/ under it are replaced) [default: .demo]");
        var mqttHost = CliOptions.Text("--mqtt-host", "H", "an MQTT broker to use instead of the embedded one");
        var mqttPort = CliOptions.Int("--mqtt-port", 1883, "P", "that broker's port");
        var config = CliOptions.Config();
        var command = new Command("demo", "generates a labelled AOI folder, runs the real agent over it and sums up against the labels")
            .With(count, output, mqttHost, mqttPort, config);
        command.SetAction((result, _) => RunAsync(result.GetValue(count), result.GetValue(output), result.GetValue(mqttHost), result.GetValue(mqttPort), result.GetValue(config)));
        return command;
    }

    public static async Task<int> RunAsync(int count, string? output, string? brokerHost, int brokerPort, string? configFile)
    {
        var root = Path.GetFullPath(output ?? ".demo");

        var aoi = Path.Combine(root, "aoi");
        foreach (var dir in new[] { aoi, Path.Combine(root, "data") })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        Console.WriteLine($"Generating {count} synthetic AOI pairs in {aoi} ...");
        var truth = SyntheticDataset.Write(aoi, new SyntheticDatasetOptions { Count = count, Seed = DemoSeed });
        var labels = truth.ToDictionary(t => Path.GetFullPath(Path.Combine(aoi, t.ImagePath)), t => t.IsDefective ? "NG" : "OK");
        foreach (var bad in DemoBadInputs.Write(aoi, truth))
        {
            labels[bad] = "ERROR";
        }

        await using var broker = brokerHost is null ? await EmbeddedBroker.StartAsync().ConfigureAwait(false) : null;
        var mqtt = new MqttOptions { Host = brokerHost ?? "127.0.0.1", Port = broker?.Port ?? brokerPort, Site = "demo", Area = "wlp", Line = "line1", Station = "aoi1" };
        Console.WriteLine(broker is null ? $"Using the MQTT broker at {mqtt.Host}:{mqtt.Port}" : $"Started an embedded MQTT broker on {mqtt.Host}:{mqtt.Port}");
        var topic = new Topics(mqtt).Verdict;
        // The consumer pins the box key, as a real one is given it (keys show): made here first, then loaded by the agent.
        var keyFile = Path.Combine(root, "data", "box-signing.key");
        using var boxKey = BoxKey.LoadOrCreate(keyFile, out _);
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, topic, CancellationToken.None, boxKey).ConfigureAwait(false);
        var received = new List<Verdict>();
        var clock = new Stopwatch();
        var lastScored = TimeSpan.Zero;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.Received += verdict =>
        {
            lock (received)
            {
                received.Add(verdict);
                lastScored = verdict.Score is null ? lastScored : clock.Elapsed;
                Console.WriteLine(Line(received.Count, labels.Count, verdict, labels.GetValueOrDefault(verdict.Image.Path, "?")));
                if (received.Count >= labels.Count)
                {
                    allIn.TrySetResult();
                }
            }
        };

        var settings = AgentHost.SettingsFor(aoi, Path.Combine(root, "data"), mqtt);
        settings["Ingest:TemplateWait"] = "00:00:02";
        settings["Ingest:IncompleteTimeout"] = "00:00:02";
        settings["Mqtt:SigningKeyFile"] = keyFile;
        using var host = AgentHost.Build(configFile, settings);
        await host.StartAsync().ConfigureAwait(false);
        clock.Start();
        Console.WriteLine($"Agent started; verdicts arrive on {topic}");
        var finished = await Task.WhenAny(allIn.Task, Task.Delay(TimeSpan.FromSeconds(60 + (count * 2)), TimeProvider.System)).ConfigureAwait(false) == allIn.Task;
        await host.StopAsync().ConfigureAwait(false);

        List<Verdict> verdicts;
        lock (received)
        {
            verdicts = [.. received];
        }

        // Throughput over the pairs the model judged; the bad inputs only wait out their timeouts.
        var summary = DemoSummary.Of(verdicts, labels, lastScored);
        Console.WriteLine();
        Console.WriteLine(summary);
        Console.WriteLine(consumer.Unverified == 0
            ? $"signed  every verdict verified with the box key {boxKey.KeyId} (Ed25519), then de-duplicated on its id"
            : $"signed  {consumer.Unverified} message(s) dropped: not signed by the box key {boxKey.KeyId}");
        if (!finished)
        {
            Console.Error.WriteLine($"edgeagent demo: only {verdicts.Count} of {labels.Count} verdicts arrived in time");
            return 1;
        }

        return 0;
    }

    private static string Line(int n, int total, Verdict v, string label) => string.Create(CultureInfo.InvariantCulture,
        $"[{n,3}/{total}] {v.Outcome.ToString().ToUpperInvariant(),-6} {v.Product + "/" + v.PairId,-28} score {v.Score?.ToString("F3", CultureInfo.InvariantCulture) ?? "-",6} (thr {v.Threshold?.ToString("F3", CultureInfo.InvariantCulture) ?? "-"})  label {label,-5} {v.Reason}");
}
