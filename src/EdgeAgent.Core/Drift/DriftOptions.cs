using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Drift;

/// <summary>
/// Configuration section <c>Drift</c>: the per-product control rule over the verdicts' series (see
/// <see cref="DriftDetector"/>). Drift raises an event and a heartbeat reason; it never changes a verdict.
/// </summary>
public sealed class DriftOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Drift";

    /// <summary>Watch the series at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Pairs of a product (under one model) whose values make its reference mean and σ: the calibration window.
    /// 500 puts σ within about ±3 % (its relative standard error is 1/√(2N)).
    /// </summary>
    [Range(50, 100_000)]
    public int Window { get; set; } = 500;

    /// <summary>EWMA weight of each new pair: 0.05 averages about the last 40 pairs, sensitive to shifts of half a σ and more.</summary>
    [Range(0.001, 1.0)]
    public double Lambda { get; set; } = 0.05;

    /// <summary>
    /// Control limits at the reference mean ± L·σ·√(λ/(2−λ) + 1/Window): the EWMA's own σ once settled, plus the
    /// reference mean's error. Seven series watched per product: at L 5.5 none of 1,000 simulated stable streams of
    /// 20,000 pairs crossed a limit (L 4: 35 % of them did, per series), and a sustained shift of one σ of the
    /// per-pair noise still crosses within about 40 pairs.
    /// </summary>
    [Range(1.0, 10.0)]
    public double L { get; set; } = 5.5;
}
