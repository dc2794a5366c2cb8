namespace EdgeAgent.Vision.Synthetic;

/// <summary>What <see cref="SyntheticDataset.Write"/> generates. The defaults make a small mixed set.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Number of pairs.</summary>
    public int Count { get; init; } = 40;

    /// <summary>Share of NG pairs; the count is rounded and honoured exactly.</summary>
    public double NgFraction { get; init; } = 0.5;

    /// <summary>Same seed, same options: byte-identical output.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Side of the square image and template in pixels.</summary>
    public int Size { get; init; } = 600;

    /// <summary>|dx| and |dy| are drawn uniformly in [-MaxShiftPx, MaxShiftPx].</summary>
    public double MaxShiftPx { get; init; } = 8;

    /// <summary>The angle is drawn uniformly in [-MaxAngleDeg, MaxAngleDeg].</summary>
    public double MaxAngleDeg { get; init; } = 0.5;

    /// <summary>
    /// Product (template type) names, used in turn; names like M1 get a metal-trace layout, names starting with
    /// BGA a solder-ball array on solder mask, others bumps/pads.
    /// </summary>
    public IReadOnlyList<string> Products { get; init; } = ["UBM", "M1"];

    /// <summary>Range of the periodic array's pitch in pixels.</summary>
    public PitchRange Pitch { get; init; } = PitchRange.Default;

    /// <summary>Image file format: png, bmp, jpg or tif.</summary>
    public string Extension { get; init; } = "png";
}
