using System.Globalization;

namespace EdgeAgent.Score;

/// <summary>
/// A proposed NG threshold for a product, from the scores of known-OK pairs (and, optionally, known-NG
/// pairs) and the overkill the line accepts: the lowest threshold that flags at most ⌊target·nOK⌋ OK pairs.
/// </summary>
/// <param name="Threshold">The proposed threshold (NG iff score ≥ threshold).</param>
/// <param name="TargetOverkill">The accepted share of OK pairs at or above the threshold, e.g. 0.001.</param>
/// <param name="OverkillCount">OK pairs at or above <paramref name="Threshold"/>.</param>
/// <param name="OverkillPercent">The same as a percentage of the OK pairs.</param>
/// <param name="OkCount">Number of OK scores.</param>
/// <param name="NgCount">Number of NG scores (0 when none were given).</param>
/// <param name="OkQuantiles">The OK score distribution.</param>
/// <param name="Recall">Share of NG pairs at or above the threshold; null without NG.</param>
/// <param name="Escapes">NG pairs below the threshold (they would pass as OK); null without NG.</param>
/// <param name="NgAveragePrecision">NG average precision over all scores (threshold-free); null without NG.</param>
/// <param name="Warning">Set when the OK set is too small to show the target overkill.</param>
public sealed record ThresholdCalibration(
    double Threshold,
    double TargetOverkill,
    int OverkillCount,
    double OverkillPercent,
    int OkCount,
    int NgCount,
    ScoreQuantiles OkQuantiles,
    double? Recall,
    int? Escapes,
    double? NgAveragePrecision,
    string? Warning)
{
    // With no OK pair allowed above it, the threshold sits this share of the OK score range above the
    // OK maximum: close enough not to give away recall, far enough that float rounding of a re-scored
    // OK pair cannot reach it.
    private const double MarginShare = 0.01;

    /// <summary>For a model with an out-of-distribution output: the proposed bound (set by <c>calibrate</c>).</summary>
    public OodCalibration? Ood { get; init; }

    /// <summary>With a target escape rate: the proposed uncertainty band (set by <c>calibrate --target-escape</c>).</summary>
    public BandCalibration? Band { get; init; }

    /// <summary>Proposes the threshold for <paramref name="targetOverkill"/> in [0, 1).</summary>
    /// <exception cref="ArgumentException">No OK score, a score that is not finite, or a target outside [0, 1).</exception>
    public static ThresholdCalibration Calibrate(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double targetOverkill)
    {
        ArgumentNullException.ThrowIfNull(okScores);
        ArgumentNullException.ThrowIfNull(ngScores);
        if (okScores.Count == 0)
        {
            throw new ArgumentException("At least one OK score is needed to calibrate.", nameof(okScores));
        }

        if (okScores.Concat(ngScores).Any(s => !double.IsFinite(s)))
        {
            throw new ArgumentException("Scores must be finite numbers.", nameof(okScores));
        }

        if (!(targetOverkill is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetOverkill), targetOverkill, "The target overkill must lie in [0, 1).");
        }

        var descending = okScores.OrderDescending().ToArray();
        // The epsilon keeps a product like 0.29·100 = 28.999999999999996 from losing one allowed pair.
        int allowed = (int)Math.Floor((targetOverkill * descending.Length) + 1e-9);
        double threshold = ThresholdFor(descending, allowed);
        int overkill = descending.Count(s => s >= threshold);
        int? escapes = ngScores.Count == 0 ? null : ngScores.Count(s => s < threshold);
        return new ThresholdCalibration(
            threshold,
            targetOverkill,
            overkill,
            100.0 * overkill / descending.Length,
            descending.Length,
            ngScores.Count,
            ScoreQuantiles.Of(descending),
            escapes is null ? null : (double)(ngScores.Count - escapes.Value) / ngScores.Count,
            escapes,
            ngScores.Count == 0 ? null : AveragePrecision.Compute(okScores.Select(s => (s, false)).Concat(ngScores.Select(s => (s, true)))),
            allowed == 0 && targetOverkill > 0 ? TooFewWarning(targetOverkill, descending.Length) : null);
    }

    // The (allowed+1)-th highest OK score must stay below the threshold. The threshold goes midway between
    // it and the next distinct score up, so ties never push the overkill past the allowance; with nothing
    // above it, a margin above the maximum.
    private static double ThresholdFor(double[] descending, int allowed)
    {
        double mustPass = descending[allowed];
        for (int i = allowed - 1; i >= 0; i--)
        {
            if (descending[i] > mustPass)
            {
                return mustPass + ((descending[i] - mustPass) / 2);
            }
        }

        double spread = descending[0] - descending[^1];
        double margin = spread > 0 ? MarginShare * spread
            : descending[0] != 0 ? MarginShare * Math.Abs(descending[0])
            : 1e-6;
        return descending[0] + margin;
    }

    private static string TooFewWarning(double target, int okCount) => string.Create(CultureInfo.InvariantCulture,
        $"too few OK pairs to show an overkill of {target * 100:0.###}% (that needs at least {Math.Ceiling(1 / target):0}, there are {okCount}); the threshold is the OK maximum plus margin");
}

/// <summary>Quantiles of a score set, linearly interpolated between order statistics (NumPy's default method).</summary>
public sealed record ScoreQuantiles(double P50, double P90, double P99, double P999, double Max)
{
    /// <summary>The quantiles of a non-empty set given in descending order.</summary>
    public static ScoreQuantiles Of(IReadOnlyList<double> descending)
    {
        ArgumentNullException.ThrowIfNull(descending);
        if (descending.Count == 0)
        {
            throw new ArgumentException("No scores.", nameof(descending));
        }

        return new ScoreQuantiles(At(0.5), At(0.9), At(0.99), At(0.999), descending[0]);

        double At(double q)
        {
            double rank = q * (descending.Count - 1);
            int below = (int)Math.Floor(rank);
            int above = Math.Min(below + 1, descending.Count - 1);
            double lower = descending[descending.Count - 1 - below], upper = descending[descending.Count - 1 - above];
            return lower + ((rank - below) * (upper - lower));
        }
    }
}
