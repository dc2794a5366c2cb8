using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Vision.Align;

/// <summary>When a position found by <see cref="GoldenLocator"/> may be used unattended.</summary>
public sealed class GoldenLocatorOptions
{
    /// <summary>Lowest TM_CCOEFF_NORMED peak (full resolution) still trusted. Default 0.5: a true crop of the golden scores 0.8–0.95 despite colour, lighting and noise.</summary>
    [Range(0.0, 1.0)]
    public double MinPeak { get; set; } = 0.5;

    /// <summary>
    /// How far the best peak must lead the best one outside its neighbourhood, as a share of the best
    /// match's own mismatch 1 − peak. Default 0.5. For normalised images ‖a − b‖² = 2(1 − ρ), so this asks
    /// that the rival differ from the image by half as much again as the true place does (capture noise,
    /// colour, lighting); one pitch away on a periodic layout differs by noise alone.
    /// </summary>
    [Range(0.0, 10.0)]
    public double MinLead { get; set; } = 0.5;
}
