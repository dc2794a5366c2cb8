using EdgeAgent.Inference.Session;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>
/// Generated AOI pairs judged by the real inspector and bundled model, stored with their heatmaps the way the
/// journal stores them: the dashboard's pictures come from real scores.
/// </summary>
public static class JudgedPairs
{
    /// <summary>Writes <paramref name="count"/> pairs under <paramref name="watched"/>, judges them and appends them to <paramref name="log"/>.</summary>
    public static IReadOnlyList<StoredVerdict> Judge(VerdictLog log, string watched, int count, int seed = 7)
    {
        var truth = SyntheticDataset.Write(watched, new SyntheticDatasetOptions { Count = count, Seed = seed, NgFraction = 0.5 });
        using var model = OnnxModel.Load(RepoPaths.DefaultModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        using var inspector = new InspectorFactory(
            new DecodeLimits(),
            new AlignmentOptions(),
            new Dictionary<string, ProductSettings>(),
            new StationIdentity("fab1", "wlp", "l3", "aoi2"),
            new VerdictIdGenerator(TimeProvider.System),
            TimeProvider.System).Create(model);
        var judged = new List<(Verdict, string, IReadOnlyList<ModelHeatmap>?)>();
        foreach (var pair in truth)
        {
            var image = Path.Combine(watched, pair.ImagePath);
            var candidate = new PairCandidate(PairKey.Of(image, File.GetLastWriteTimeUtc(image)), pair.Id, pair.Product, watched, image,
                Path.Combine(watched, pair.TemplatePath), DateTimeOffset.UtcNow, new Dictionary<string, string>());
            using var prepared = inspector.Prepare(candidate);
            var verdict = inspector.Judge([prepared])[0];
            judged.Add((verdict, candidate.Key, prepared.Heatmaps));
        }

        var stored = log.Append(judged);
        return [.. stored.Zip(judged, (v, j) => new StoredVerdict(v, j.Item3 ?? []))];
    }
}
