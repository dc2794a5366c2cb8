using System.Numerics.Tensors;

namespace EdgeAgent.Score;

/// <summary>
/// Steps 8–10 of the score definition on the model's layer maps: A = Σ w_l·d_l, score = max(mask·A).
/// Built once per (model, product) so the mask is computed once; <see cref="Compute"/> is allocation-free
/// apart from the caller's scratch buffer and safe to call from several threads.
/// </summary>
public sealed class ScoreCalculator
{
    private readonly float[] _mask;
    private readonly float[] _weights;

    /// <summary>Prepares the mask for an R×R map.</summary>
    public ScoreCalculator(ScoreParameters parameters, int size)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.Validated();
        Size = size;
        _mask = parameters.Mask.Build(size);
        _weights = [.. parameters.LayerWeights.Select(w => (float)w)];
    }

    /// <summary>The parameters in force.</summary>
    public ScoreParameters Parameters { get; }

    /// <summary>The map side R.</summary>
    public int Size { get; }

    /// <summary>
    /// Scores one pair. <paramref name="layerMaps"/> holds d_1..d_3 as consecutive R×R planes;
    /// <paramref name="fused"/> (R×R) receives mask·A, the map a heatmap is drawn from.
    /// </summary>
    public ScoreResult Compute(ReadOnlySpan<float> layerMaps, Span<float> fused)
    {
        int plane = Size * Size;
        if (layerMaps.Length != ScoreParameters.LayerCount * plane || fused.Length != plane)
        {
            throw new ArgumentException($"Expected {ScoreParameters.LayerCount} maps of {Size}×{Size}.", nameof(layerMaps));
        }

        Span<double> layerMax = stackalloc double[ScoreParameters.LayerCount];
        fused.Clear();
        for (int l = 0; l < ScoreParameters.LayerCount; l++)
        {
            var map = layerMaps.Slice(l * plane, plane);
            layerMax[l] = MaxOfProduct(map, _mask);
            TensorPrimitives.MultiplyAdd(map, _weights[l], fused, fused);
        }

        TensorPrimitives.Multiply(fused, _mask, fused);
        int peak = TensorPrimitives.IndexOfMax(fused);
        return new ScoreResult(fused[peak], [.. layerMax], peak % Size, peak / Size);
    }

    private static double MaxOfProduct(ReadOnlySpan<float> map, ReadOnlySpan<float> mask)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < map.Length; i++)
        {
            max = MathF.Max(max, map[i] * mask[i]);
        }

        return max;
    }
}

/// <summary>The image score, per-layer maxima and the peak position in the R×R map.</summary>
public sealed record ScoreResult(double Score, IReadOnlyList<double> LayerMaxima, int PeakX, int PeakY);
