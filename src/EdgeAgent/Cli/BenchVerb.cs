using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Broker;
using EdgeAgent.Messaging.Connection;
using EdgeAgent.Messaging.Subscribe;
using EdgeAgent.Models.Activation;
using EdgeAgent.Telemetry;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// <c>edgeagent bench</c>: how fast the whole agent judges, against the limit the model itself sets.
/// Four measurements on the same generated pairs, model, batch size and provider: a bare ONNX Runtime
/// <c>Run</c> loop (the ceiling), alignment alone on one core, the real pipeline under a burst (throughput,
/// time per stage) and one pair at a time (latency from the file being complete to the verdict arriving at
/// an MQTT consumer through an embedded broker). The pipeline is warmed up first, until the JIT's tiering
/// has settled (it keeps a core busy for the first minute or two of a new process), and the CPU time the process spends per pair is
/// printed beside the wall-clock numbers: it is what the agent adds to the model, whatever else runs.
/// </summary>
internal static class BenchVerb
{
    private const int MaxWarmupRounds = 8;

    // A warm-up round that compiles fewer methods than this leaves the JIT's cost in the noise.
    private const int SettledJitMethods = 100;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static Command Command()
    {
        var count = CliOptions.Int("--count", 200, "N", "pairs in the burst");
        var size = CliOptions.Int("--size", 600, "PX", "image side of the generated pairs");
        var lone = CliOptions.Int("--lone", 30, "N", "pairs sent one at a time, for latency");
        var warmup = CliOptions.Int("--warmup", 40, "N", "pairs per warm-up round (rounds until the JIT settles)");
        // Each overrides one configuration key for this run, as the service would read it.
        var numbers = new (Option<int?> Option, string Key)[]
        {
            (new("--batch") { HelpName = "B", Description = "Pipeline:MaxBatch for this run" }, "Pipeline:MaxBatch"),
            (new("--workers") { HelpName = "W", Description = "Pipeline:PrepareWorkers for this run" }, "Pipeline:PrepareWorkers"),
            (new("--lanes") { HelpName = "L", Description = "Pipeline:InferenceLanes for this run" }, "Pipeline:InferenceLanes"),
            (new("--threads") { HelpName = "T", Description = "Model:IntraOpThreads for this run" }, "Model:IntraOpThreads"),
        };
        var texts = new (Option<string?> Option, string Key)[]
        {
            (CliOptions.Text("--model", "M", "Model:Path for this run"), "Model:Path"),
            (CliOptions.Text("--provider", "P", "Model:Provider for this run"), "Model:Provider"),
        };
        var config = CliOptions.Config();
        var output = CliOptions.Text("--out", "DIR", "working folder [default: edgeagent-bench in the temp folder]");
        var panel = CliOptions.Text("--models", "FILES", "comma-separated ONNX files of any kind that judge every pair together (imported into the run's store; the ceiling is the sum of their bare runs)");
        var combine = CliOptions.Text("--combine", "POLICY", "how --models combine: any-ng (default), all-ng, vote, gate");
        var alignment = CliOptions.Flag("--alignment", "instead of speed: alignment accuracy on --count generated pairs with known transforms, then detection AP against misregistration on --lone × 4 pairs (issue 15)");
        var drift = CliOptions.Flag("--drift", "the drift rule instead of speed: --count pairs judged, streams drawn from their verdicts (stable, and a slowly dimming lamp)");
        var command = new Command("bench", "how fast the whole agent judges, against the ceiling the bare model(s) set")
            .With([count, size, lone, warmup, .. numbers.Select(o => o.Option), .. texts.Select(o => o.Option), panel, combine, config, output, alignment, drift]);
        command.SetAction((result, _) =>
        {
            if (result.GetValue(drift))
            {
                return Task.FromResult(DriftBench.Run(result.GetValue(count), result.GetValue(size), result.GetValue(config), result.GetValue(output)));
            }

            if (result.GetValue(alignment))
            {
                var root = Path.GetFullPath(result.GetValue(output) ?? Path.Combine(Path.GetTempPath(), "edgeagent-bench-alignment"));
                return Task.FromResult(AlignmentBench.Run(result.GetValue(count), 4 * result.GetValue(lone), result.GetValue(config), result.GetValue(texts[0].Option), root));
            }

            var overrides = new Dictionary<string, string?>();
            foreach (var (option, key) in numbers.Where(o => result.GetValue(o.Option) is not null))
            {
                overrides[key] = result.GetValue(option)!.Value.ToString(C);
            }

            foreach (var (option, key) in texts.Where(o => result.GetValue(o.Option) is not null))
            {
                overrides[key] = result.GetValue(option);
            }

            var models = result.GetValue(panel)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            return RunAsync(result.GetValue(count), result.GetValue(size), result.GetValue(lone), result.GetValue(warmup), result.GetValue(config), result.GetValue(output), overrides, models, result.GetValue(combine));
        });
        return command;
    }

    public static async Task<int> RunAsync(int count, int size, int lone, int warmup, string? configFile, string? output, Dictionary<string, string?> overrides, IReadOnlyList<string> panel, string? combine)
    {
        var root = Path.GetFullPath(output ?? Path.Combine(Path.GetTempPath(), "edgeagent-bench"));
        var stage = Path.Combine(root, "stage");
        foreach (var folder in new[] { stage, Path.Combine(root, "aoi"), Path.Combine(root, "data") }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        // The phase on a terminal's status line (stderr); the lines below print exactly as they always did.
        using var status = TerminalProgress.Start("bench:");
        status.Line($"bench: generating {warmup + count + lone} pairs of {size}×{size} in {stage}");
        status.Report("generating pairs");
        var generated = SyntheticDataset.Write(stage, new SyntheticDatasetOptions { Count = warmup + count + lone, Size = size, Seed = 2026, NgFraction = 0.3 });
        var warmupPairs = generated.Take(warmup).ToList();
        var pairs = generated.Skip(warmup).ToList();
        // The burst's pairs, for a peer (scripts/peer.sh) to judge the very same files.
        File.WriteAllLines(Path.Combine(root, "burst-pairs.txt"), pairs.Take(count).Select(p => Path.Combine(stage, p.ImagePath)));
        using var options = VerbOptions.Read(configFile, overrides, serviceDefaults: true);
        var inference = options.Get<InferenceOptions>();
        var pipeline = options.Get<Pipeline.PipelineOptions>();
        var modelPath = ModelPaths.Resolve(inference.Path);
        // The models that judge each pair: the default model, or the --models panel (every product routed to it).
        IReadOnlyList<string> judging = panel.Count > 0 ? [.. panel.Select(Path.GetFullPath)] : [modelPath];

        status.Report("the bare Run loop (the ceiling)");
        var bare = BareCeiling(judging, inference, pipeline, count, status);
        var crop = bare.Crop;
        status.Report("alignment alone");
        var alignMs = AlignmentCost(stage, pairs.Take(Math.Min(count, 50)).ToList(), crop);
        status.Line(string.Create(C, $"alignment alone   {alignMs.Median,8:F2} ms/pair median, {alignMs.P95:F2} p95 (one thread, {size}×{size})"));

        await using var broker = await EmbeddedBroker.StartAsync().ConfigureAwait(false);
        var mqtt = new MqttOptions { Host = "127.0.0.1", Port = broker.Port, Site = "bench", Area = "a", Line = "l", Station = "s" };
        await using var consumer = await VerdictSubscriber.ConnectAsync(mqtt.Host, mqtt.Port, new Topics(mqtt).Verdict, CancellationToken.None).ConfigureAwait(false);
        var arrived = new ConcurrentDictionary<string, (Verdict Verdict, long At)>();
        consumer.Received += v => arrived.TryAdd(v.Image.Path, (v, Stopwatch.GetTimestamp()));
        var watched = Path.Combine(root, "aoi");
        Directory.CreateDirectory(watched);
        var settings = AgentHost.SettingsFor(watched, Path.Combine(root, "data"), mqtt);
        // The run's generated products are judged by the model under test whatever products it was trained on: a
        // benchmark measures speed, and a model without trained products would otherwise have every pair not routed.
        settings["Routing:UnknownProducts"] = "DefaultModel";
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in RoutePanel(panel, combine, Path.Combine(root, "data"), generated.Select(p => p.Product).Distinct()))
        {
            settings[key] = value;
        }

        using var host = AgentHost.Build(configFile, settings);
        await host.StartAsync().ConfigureAwait(false);
        try
        {
            // Rounds until the JIT has settled: tiering recompiles thousands of methods over the first minute or
            // two, and a burst measured meanwhile pays for it. Each round goes to its own folder (new paths).
            for (var round = 1; round <= MaxWarmupRounds && warmupPairs.Count > 0; round++)
            {
                status.Report($"warm-up round {round} (until the JIT settles)");
                var warm = await BurstAsync(stage, watched, warmupPairs, arrived, $"warmup-{round}").ConfigureAwait(false);
                status.Line(string.Create(C, $"warm-up {round}         {warm.Pairs / warm.Seconds,8:F1} pairs/s   ({warm.Pairs} pairs, not counted; {warm.JitMethods} methods JIT-compiled in {warm.JitMs:F0} ms)"));
                if (warm.JitMethods < SettledJitMethods)
                {
                    break;
                }
            }

            // The agent's own instruments, read as an exporter would: the burst's share is the difference.
            var metrics = host.Services.GetRequiredService<MetricsReader>();
            var before = StageTotals(metrics);
            status.Report($"the pipeline under a burst of {count} pairs");
            var burst = await BurstAsync(stage, watched, pairs.Take(count).ToList(), arrived).ConfigureAwait(false);
            var stages = StageTotals(metrics).ToDictionary(s => s.Key, s => (Count: s.Value.Count - before[s.Key].Count, Seconds: s.Value.Seconds - before[s.Key].Seconds));
            status.Report("the bare Run loop again");
            // The ceiling again, right after: a shared machine's speed drifts, and the ratio is to the mean of both.
            var bareAfter = BareCeiling(judging, inference, pipeline, count, null);
            // "Light load" means no burst just before: the burst's hundreds of MB of copies still being written
            // back would make the journal's forced writes wait behind them (stalls of 100–300 ms seen here).
            FlushFileSystems();
            status.Report($"{lone} pairs one at a time (latency)");
            var loneLatencies = await OneAtATimeAsync(stage, watched, pairs.Skip(count).ToList(), arrived).ConfigureAwait(false);
            status.Dispose();
            Report(burst, loneLatencies, bare, bareAfter);
            Console.WriteLine("  from the agent's metrics (" + AgentMetrics.StageDuration + "), burst only, mean ms: " + string.Join("  ", stages.Select(s =>
                string.Create(C, $"{s.Key} {(s.Value.Count == 0 ? double.NaN : s.Value.Seconds * 1000 / s.Value.Count):F2} (×{s.Value.Count})"))));
            Console.WriteLine(JournalBench.Run(Path.Combine(root, "journal-bench"), lone * 10));
        }
        finally
        {
            await host.StopAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Per stage, the number of timings and their sum in seconds, so far.</summary>
    private static Dictionary<string, (long Count, double Seconds)> StageTotals(MetricsReader metrics) =>
        new[] { AgentMetrics.Stage.Decode, AgentMetrics.Stage.Align, AgentMetrics.Stage.ModelRun, AgentMetrics.Stage.Score, AgentMetrics.Stage.Journal, AgentMetrics.Stage.Publish }
            .ToDictionary(s => s, s => (metrics.Count(AgentMetrics.StageDuration, t => t["stage"] == s), metrics.Sum(AgentMetrics.StageDuration, t => t["stage"] == s)));

    private sealed record Bare(double PairsPerSecond, double CpuMsPerPair, double LoneRunMs, string Provider, int Crop, int Lanes);

    /// <summary>
    /// The ceiling for pairs judged by <paramref name="models"/>: each model's bare loop, one after the other, as a
    /// pair needs every one of them; the sum of their times per pair is the time per pair of the whole panel.
    /// </summary>
    private static Bare BareCeiling(IReadOnlyList<string> models, InferenceOptions inference, Pipeline.PipelineOptions pipeline, int count, TerminalProgress? status)
    {
        var each = models.Select(m => (Path: m, Bare: BareRunLoop(m, inference, pipeline, count))).ToList();
        foreach (var (path, bare) in each.Where(_ => status is not null))
        {
            status!.Line(string.Create(C, $"bare Run loop     {bare.PairsPerSecond,8:F1} pairs/s   ({Path.GetFileName(path)}, batch {pipeline.MaxBatch}, {bare.Lanes} lane(s) × {inference.EffectiveIntraOpThreads} thread(s), {bare.Provider}, {Environment.ProcessorCount} cores; CPU {bare.CpuMsPerPair:F1} ms/pair; one pair alone {bare.LoneRunMs:F1} ms)"));
        }

        var sum = new Bare(1 / each.Sum(e => 1 / e.Bare.PairsPerSecond), each.Sum(e => e.Bare.CpuMsPerPair), each.Sum(e => e.Bare.LoneRunMs),
            each[0].Bare.Provider, each.Max(e => e.Bare.Crop), each[0].Bare.Lanes);
        if (each.Count > 1 && status is not null)
        {
            status.Line(string.Create(C, $"bare Run loops    {sum.PairsPerSecond,8:F1} pairs/s   (the {each.Count} models one after the other: the sum of their times per pair, {1000 / sum.PairsPerSecond:F1} ms)"));
        }

        return sum;
    }

    /// <summary>Imports the panel's models into the run's store, active, and routes every product to them.</summary>
    private static Dictionary<string, string?> RoutePanel(IReadOnlyList<string> panel, string? combine, string dataDirectory, IEnumerable<string> products)
    {
        var settings = new Dictionary<string, string?>();
        if (panel.Count == 0)
        {
            return settings;
        }

        var store = new Models.Store.ModelStore(Path.Combine(dataDirectory, "models"), keepPrevious: 2);
        var names = new List<string>();
        foreach (var file in panel)
        {
            using var model = OnnxModel.Load(file, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
            store.ImportLocal(file, model.Info.Name, model.Info.Version);
            store.Activate(model.Info.Name, model.Info.Version);
            names.Add(model.Info.Name);
        }

        foreach (var product in products)
        {
            for (var i = 0; i < names.Count; i++)
            {
                settings[$"Products:{product}:Models:{i}"] = names[i];
            }

            settings[$"Products:{product}:Combine"] = combine ?? "any-ng";
        }

        return settings;
    }

    /// <summary>
    /// The ceiling: the session alone, as the pipeline runs it (batches of the pipeline's maximum, real-sized
    /// inputs on as many threads at once as it has inference lanes), nothing else; and one pair's run.
    /// </summary>
    private static Bare BareRunLoop(string modelPath, InferenceOptions inference, Pipeline.PipelineOptions pipeline, int pairs)
    {
        using var model = OnnxModel.Load(modelPath, inference, NullLogger.Instance);
        var (batch, lanes) = (pipeline.MaxBatch, pipeline.LanesFor(model.Provider, inference.EffectiveIntraOpThreads));
        var runners = Enumerable.Range(0, lanes).Select(_ => model.CreateRunner(batch)).ToList();
        try
        {
            var noise = new Random(1);
            foreach (var runner in runners)
            {
                for (var slot = 0; slot < batch; slot++)
                {
                    noise.NextBytes(runner.TemplateSlot(slot));
                    noise.NextBytes(runner.ImageSlot(slot));
                }

                runner.Run(batch); // warm-up
            }

            var runs = Math.Max(3, pairs / batch / lanes);
            var cpu = ProcessCpu();
            var clock = Stopwatch.StartNew();
            Parallel.ForEach(runners, new ParallelOptions { MaxDegreeOfParallelism = lanes }, runner =>
            {
                for (var i = 0; i < runs; i++)
                {
                    runner.Run(batch);
                }
            });
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuMs = (ProcessCpu() - cpu).TotalMilliseconds;
            var lone = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                var one = Stopwatch.StartNew();
                runners[0].Run(1);
                lone.Add(one.Elapsed.TotalMilliseconds);
            }

            lone.Sort();
            var judged = runs * batch * lanes;
            return new Bare(judged / seconds, cpuMs / judged, Percentile(lone, 0.5), model.Provider, model.Info.Crop, lanes);
        }
        finally
        {
            runners.ForEach(r => r.Dispose());
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "sync")]
    private static extern void FlushFileSystems();

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>Alignment as the inspector runs it: estimate, then resample the model's centre crop.</summary>
    private static (double Median, double P95) AlignmentCost(string stage, IReadOnlyList<SyntheticPairTruth> pairs, int crop)
    {
        var aligner = new ImageAligner(new AlignmentOptions());
        var times = new List<double>();
        foreach (var truth in pairs)
        {
            using var image = Cv2.ImRead(Path.Combine(stage, truth.ImagePath), ImreadModes.Color);
            using var template = Cv2.ImRead(Path.Combine(stage, truth.TemplatePath), ImreadModes.Grayscale);
            var clock = Stopwatch.StartNew();
            var estimate = aligner.Estimate(image, template);
            using var warped = aligner.WarpWindowToTemplate(image, estimate.Alignment, Vision.Crop.CentreCrop.Window(image.Size(), crop));
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (Percentile(times, 0.5), Percentile(times, 0.95));
    }

    private sealed record Burst(int Pairs, double Seconds, double CpuMsPerPair, long JitMethods, double JitMs, IReadOnlyList<Verdict> Verdicts);

    /// <summary>All pairs at once, as an AOI catching up would write them; throughput from the first file to the last verdict.</summary>
    private static async Task<Burst> BurstAsync(string stage, string watched, IReadOnlyList<SyntheticPairTruth> pairs, ConcurrentDictionary<string, (Verdict Verdict, long At)> arrived, string? folder = null)
    {
        var start = Stopwatch.GetTimestamp();
        var cpu = ProcessCpu();
        var (jitMethods, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var targets = pairs.Select(p => Place(stage, watched, p, folder)).ToList();
        await WaitForAsync(() => targets.All(arrived.ContainsKey), pairs.Count).ConfigureAwait(false);
        var cpuMs = (ProcessCpu() - cpu).TotalMilliseconds;
        var last = targets.Max(t => arrived[t].At);
        return new Burst(pairs.Count, Stopwatch.GetElapsedTime(start, last).TotalSeconds, cpuMs / pairs.Count,
            System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods, (System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds,
            [.. targets.Select(t => arrived[t].Verdict)]);
    }

    /// <summary>One pair at a time, the next only after the previous verdict: latency without any queue.</summary>
    private static async Task<List<Lone>> OneAtATimeAsync(string stage, string watched, IReadOnlyList<SyntheticPairTruth> pairs, ConcurrentDictionary<string, (Verdict Verdict, long At)> arrived)
    {
        var latencies = new List<Lone>();
        foreach (var pair in pairs)
        {
            var complete = Stopwatch.GetTimestamp();
            var target = Place(stage, watched, pair);
            await WaitForAsync(() => arrived.ContainsKey(target), 1).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(complete, arrived[target].At).TotalMilliseconds;
            latencies.Add(new Lone(latency, latency - arrived[target].Verdict.TimingsMs.Infer, arrived[target].Verdict.TimingsMs));
        }

        return latencies;
    }

    /// <summary>One pair's latency, the part of it that was not its own model run, and the inspector's own timings.</summary>
    private sealed record Lone(double LatencyMs, double BesideModelMs, Timings Timings);

    private static void Report(Burst burst, List<Lone> lone, Bare before, Bare after)
    {
        var pairsPerSecond = burst.Pairs / burst.Seconds;
        var ceiling = (before.PairsPerSecond + after.PairsPerSecond) / 2;
        var bareCpu = (before.CpuMsPerPair + after.CpuMsPerPair) / 2;
        var judged = burst.Verdicts.Where(v => v.Score is not null).ToList();
        Console.WriteLine(string.Create(C, $"pipeline (burst)  {pairsPerSecond,8:F1} pairs/s   {burst.Pairs} pairs in {burst.Seconds:F1} s, {judged.Count} scored; ratio to the bare Run loop {pairsPerSecond / ceiling:F2} (bare loop {before.PairsPerSecond:F1} before, {after.PairsPerSecond:F1} after)"));
        if (Math.Abs(before.PairsPerSecond - after.PairsPerSecond) > 0.1 * ceiling)
        {
            Console.WriteLine("  note: the bare loop changed by more than 10 % during the run; the machine's speed drifted (shared host?), rerun for a clean ratio");
        }

        Console.WriteLine(string.Create(C, $"  CPU per pair: {burst.CpuMsPerPair:F1} ms in the whole process (bare Run loop {bareCpu:F1}): the agent's own work {burst.CpuMsPerPair - bareCpu:F1} ms, including the embedded broker, the consumer and the file copies standing in for the AOI; JIT during the burst: {burst.JitMethods} methods, {burst.JitMs:F0} ms"));
        Console.WriteLine(string.Create(C, $"  per pair, median ms: decode {Median(judged, v => v.TimingsMs.Decode):F1}  align {Median(judged, v => v.TimingsMs.Align):F1}  model run (its batch) {Median(judged, v => v.TimingsMs.Infer):F1}  score {Median(judged, v => v.TimingsMs.Score):F2}  in the agent {Median(judged, v => v.TimingsMs.Total):F1}"));
        var latency = lone.Select(l => l.LatencyMs).Order().ToList();
        var beside = lone.Select(l => l.BesideModelMs).Order().ToList();
        var model = (before.LoneRunMs + after.LoneRunMs) / 2;
        Console.WriteLine(string.Create(C, $"one at a time     latency file complete → verdict received: p50 {Percentile(latency, 0.5):F1} ms, p95 {Percentile(latency, 0.95):F1}, p99 {Percentile(latency, 0.99):F1} ({lone.Count} pairs; one model run alone {model:F1} ms)"));
        Console.WriteLine(string.Create(C, $"  beside each pair's own model run (ingest, journal, decode, align, score, publish): p50 {Percentile(beside, 0.5):F1} ms, p95 {Percentile(beside, 0.95):F1}, p99 {Percentile(beside, 0.99):F1}"));
        // Where that part goes: the inspector's own stages, and what lies outside it (the watcher's event, the
        // seen commit, the verdict's commit + checkpoint, the MQTT round to the consumer).
        Console.WriteLine(string.Create(C, $"  of which, median ms: decode {Median(lone, l => l.Timings.Decode):F1}  align {Median(lone, l => l.Timings.Align):F1}  score {Median(lone, l => l.Timings.Score):F2}  the rest of the inspector {Median(lone, l => l.Timings.Total - l.Timings.Decode - l.Timings.Align - l.Timings.Infer - l.Timings.Score):F1}  outside it: ingest, journal, publish {Median(lone, l => l.LatencyMs - l.Timings.Total):F1}"));
    }

    private static double Median<T>(IEnumerable<T> items, Func<T, double> of) => Percentile([.. items.Select(of).Order()], 0.5);

    private static string Place(string stage, string watched, SyntheticPairTruth pair, string? product = null)
    {
        var folder = Path.Combine(watched, product ?? pair.Product);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { pair.TemplatePath, pair.ImagePath })
        {
            var target = Path.Combine(folder, Path.GetFileName(file));
            File.Copy(Path.Combine(stage, file), target + ".part");
            File.Move(target + ".part", target);
        }

        return Path.Combine(folder, Path.GetFileName(pair.ImagePath));
    }

    private static async Task WaitForAsync(Func<bool> done, int pairs)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * (60 + (pairs * 2)));
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("bench: verdicts stopped arriving");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System).ConfigureAwait(false); // arrival times are stamped by the consumer, not by this poll
        }
    }

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
