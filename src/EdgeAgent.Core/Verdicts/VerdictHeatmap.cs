namespace EdgeAgent.Verdicts;

/// <summary>
/// The compact anomaly map kept with a scored verdict for the supervisors' pictures: mask·A area-downsampled
/// to <see cref="Side"/>×<see cref="Side"/> levels, 0 = no anomaly and 255 = twice the threshold or more (the
/// colour scale of the offline heatmap, so pictures from different pairs compare). Stored beside the verdict,
/// never in the published payload.
/// </summary>
/// <param name="Crop">Side, in template pixels, of the centred window the map covers (the model's crop C).</param>
/// <param name="Levels">Row-major <see cref="Side"/>² levels.</param>
public sealed record VerdictHeatmap(int Crop, byte[] Levels)
{
    /// <summary>Width and height of the stored map.</summary>
    public const int Side = 64;
}

/// <summary>The stored heatmap of one model of a pair (a pair judged by several models has one per model with a map).</summary>
/// <param name="Model">The model's store name.</param>
/// <param name="Map">Its compact map.</param>
public sealed record ModelHeatmap(string Model, VerdictHeatmap Map);
