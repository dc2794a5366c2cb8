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
    public static IReadOnlyList<StoredVerdict> Judge(VerdictLog log, string watched, int count, int seed = 7) =>
        Judge(log, watched, count, seed, [RepoPaths.DefaultModel], shadow: null);

    /// <summary>As <see cref="Judge(VerdictLog, string, int, int)"/>, judged by <paramref name="models"/> combined by any-ng, with an optional shadow.</summary>
    public static IReadOnlyList<StoredVerdict> Judge(VerdictLog log, string watched, int count, int seed, IReadOnlyList<string> models, string? shadow)
    {
        var truth = SyntheticDataset.Write(watched, new SyntheticDatasetOptions { Count = count, Seed = seed, NgFraction = 0.5 });
        var loaded = models.Append(shadow).OfType<string>().Select(m => OnnxModel.Load(m, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance)).ToList();
        var factory = new InspectorFactory(
            new DecodeLimits(),
            new AlignmentOptions(),
            new Dictionary<string, ProductSettings>(),
            new StationIdentity("fab1", "wlp", "l3", "aoi2"),
            new VerdictIdGenerator(TimeProvider.System),
            TimeProvider.System);
        var wrapped = loaded.Select(m => factory.Wrap(m, m.Info.Name, m.Info.Version, m.Info.Sha256)).ToList();
        using var inspector = factory.Create(new ModelPanel(
            [.. wrapped.Take(models.Count)], models.Count > 1 ? Score.CombinePolicy.AnyNg : null, shadow is null ? null : wrapped[^1]));
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

        wrapped.ForEach(m => m.ReleaseRunners());
        loaded.ForEach(m => m.Dispose());
        var stored = log.Append(judged);
        return [.. stored.Zip(judged, (v, j) => new StoredVerdict(v, j.Item3 ?? []))];
    }
}
