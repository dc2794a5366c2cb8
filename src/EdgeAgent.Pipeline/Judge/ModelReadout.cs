using System.Numerics.Tensors;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Heatmap;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// Each kind's decision rule on its outputs (models/README.md, "Contracts"): STPM fuses, masks and takes the max;
/// pair segmentation ignores specks smaller than the model's minimum area and lists the regions; MemSeg takes the
/// map's max; a classifier sums the defect classes' probabilities; a density model's score is its output.
/// </summary>
internal static class ModelReadout
{
    /// <summary>Top classes a verdict lists.</summary>
    private const int TopClasses = 3;

    /// <summary>
    /// Reads slot <paramref name="slot"/> of <paramref name="runner"/>. <paramref name="stpm"/> is the product's STPM
    /// calculator (STPM only); <paramref name="scratch"/> receives the map a heatmap is drawn from (R×R or the patch map).
    /// </summary>
    public static ModelReading Read(ModelInfo info, ModelRunner runner, int slot, ScoreCalculator? stpm, double threshold, float[] scratch)
    {
        var reading = ReadKind(info, runner, slot, stpm, threshold, scratch);
        return runner.OodDistanceOf(slot) is { } ood ? reading with { Ood = ood } : reading;
    }

    private static ModelReading ReadKind(ModelInfo info, ModelRunner runner, int slot, ScoreCalculator? stpm, double threshold, float[] scratch)
    {
        switch (info.Kind)
        {
            case ModelKind.Stpm:
                var result = stpm!.Compute(runner.LayerMapsOf(slot), scratch.AsSpan(0, info.Input * info.Input));
                return new ModelReading(result.Score, threshold, result.LayerMaxima, new MapPoint(result.PeakX, result.PeakY, info.Input, info.Input),
                    [], [], Levels(scratch, info.Input, info.Input, threshold));
            case ModelKind.Classifier:
                var (score, classes) = Classes(info, runner.ClassProbsOf(slot));
                return new ModelReading(score, threshold, null, null, [], classes, null);
            case ModelKind.Density:
                var map = runner.AnomalyMapOf(slot);
                var point = map.IsEmpty ? null : PeakOf(map, info.MapSize.Width);
                return new ModelReading(runner.ScoreOf(slot), threshold, null, point, [], [],
                    map.IsEmpty ? null : Levels(map, info.MapSize.Width, info.MapSize.Height, LevelScale(map)));
            case ModelKind.Memseg:
                var anomaly = runner.AnomalyMapOf(slot);
                return new ModelReading(TensorPrimitives.Max(anomaly), threshold, null, PeakOf(anomaly, info.Input), [], [],
                    Levels(anomaly, info.Input, info.Input, threshold));
            default:
                // Pair segmentation: regions of p ≥ t, specks below the model's minimum area ignored.
                var probabilities = runner.AnomalyMapOf(slot);
                var reading = RegionFinder.Read(probabilities, info.Input, info.Input, threshold, info.MinArea);
                var classScores = info.Classes.Count > 0 ? Classes(info, runner.ClassProbsOf(slot)).Top : [];
                return new ModelReading(reading.Score, threshold, null, new MapPoint(reading.PeakX, reading.PeakY, info.Input, info.Input),
                    reading.Regions, classScores, Levels(probabilities, info.Input, info.Input, threshold));
        }
    }

    private static (double Score, IReadOnlyList<ClassScore> Top) Classes(ModelInfo info, ReadOnlySpan<float> probabilities)
    {
        double defect = 0;
        var all = new ClassScore[info.Classes.Count];
        for (int k = 0; k < all.Length; k++)
        {
            all[k] = new ClassScore(info.Classes[k], Math.Round(probabilities[k], 6));
            if (info.DefectClasses.Contains(info.Classes[k]))
            {
                defect += probabilities[k];
            }
        }

        return (defect, [.. all.OrderByDescending(c => c.P).Take(TopClasses)]);
    }

    private static MapPoint PeakOf(ReadOnlySpan<float> map, int width)
    {
        int peak = TensorPrimitives.IndexOfMax(map);
        return new MapPoint(peak % width, peak / width, width, map.Length / width);
    }

    // A patch map has no threshold of its own (the score's threshold is on the embedding): its own max is red.
    private static double LevelScale(ReadOnlySpan<float> map) => Math.Max(1e-6, TensorPrimitives.Max(map) / 2);

    private static byte[] Levels(ReadOnlySpan<float> map, int width, int height, double threshold) =>
        HeatmapRenderer.Levels(map[..(width * height)], width, height, threshold);
}

/// <summary>What one model said about one pair, in its map's coordinates.</summary>
internal sealed record ModelReading(
    double Score,
    double Threshold,
    IReadOnlyList<double>? Layers,
    MapPoint? Peak,
    IReadOnlyList<MapRegion> Regions,
    IReadOnlyList<ClassScore> Classes,
    byte[]? HeatLevels)
{
    /// <summary>The template's and the image's distance to the model's training pairs, when the model outputs them.</summary>
    public (float Template, float Image)? Ood { get; init; }
}

/// <summary>A point in a <paramref name="Width"/>×<paramref name="Height"/> map that covers the model's crop.</summary>
internal sealed record MapPoint(int X, int Y, int Width, int Height);
