using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Vision.Align;

/// <summary>
/// When an estimated alignment may be used unattended (configuration section "Alignment"). An estimate
/// outside these limits is reported but not trusted, and the pair goes to REVIEW.
/// </summary>
public sealed class AlignmentOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Alignment";

    /// <summary>Largest shift (Euclidean, template pixels) still trusted. Default 32: the AOI registers to a few pixels.</summary>
    [Range(0.0, 1000.0)]
    public double MaxShiftPx { get; set; } = 32;

    /// <summary>Largest |angle| in degrees still trusted. Default 2: the AOI stage rotates well under a degree.</summary>
    [Range(0.0, 45.0)]
    public double MaxAngleDeg { get; set; } = 2;

    /// <summary>Lowest confidence (0..1) still trusted. Default 0.5.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.5;

    /// <summary>
    /// Largest remaining misregistration (<see cref="EdgeAgent.Align.Alignment.ResidualPx"/>, template pixels at the
    /// crop's corners) still trusted. Default 3: the lab measured AP 0.932 with 1–2 px and 0.723 with 4–8 px, so
    /// the cliff lies between 2 and 4; 3 keeps every measured-harmless pair and stops short of the first harmful bin.
    /// </summary>
    [Range(0.1, 100.0)]
    public double MaxResidualPx { get; set; } = 3;
}
