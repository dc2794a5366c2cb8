using System.Globalization;

namespace EdgeAgent.Score;

/// <summary>
/// A proposed out-of-distribution bound for a product, from the template distances of known-OK
/// pairs of that product, by the threshold rule of <see cref="ThresholdCalibration"/>: at most ⌊target·nOK⌋ OK pairs
/// at or beyond it. Other products' pairs, when given, show how far the bound is from what it must catch.
/// </summary>
/// <param name="Bound">The proposed bound (beyond iff distance &gt; bound).</param>
/// <param name="ModelBound">The bound the model carries, for comparison; null when it carries none.</param>
/// <param name="TargetFalseReview">The accepted share of OK pairs beyond the bound.</param>
/// <param name="OkCount">OK pairs with a distance.</param>
/// <param name="OkBeyond">OK pairs at or beyond <paramref name="Bound"/>.</param>
/// <param name="OkQuantiles">The OK distances.</param>
/// <param name="OthersCount">Other products' pairs with a distance; null when none were given.</param>
/// <param name="OthersBeyond">Of those, the pairs beyond <paramref name="Bound"/>.</param>
/// <param name="OthersMin">The smallest of their distances.</param>
/// <param name="OthersMedian">Their median distance.</param>
/// <param name="OkBeyondModelBound">OK pairs beyond the model's own bound; null when it carries none.</param>
/// <param name="OthersBeyondModelBound">Other products' pairs beyond the model's own bound; null without either.</param>
public sealed record OodCalibration(
    double Bound,
    double? ModelBound,
    double TargetFalseReview,
    int OkCount,
    int OkBeyond,
    ScoreQuantiles OkQuantiles,
    int? OthersCount,
    int? OthersBeyond,
    double? OthersMin,
    double? OthersMedian,
    int? OkBeyondModelBound,
    int? OthersBeyondModelBound)
{
    /// <summary>Proposes the bound for <paramref name="targetFalseReview"/> in [0, 1).</summary>
    /// <exception cref="ArgumentException">No OK distance, or one that is not finite.</exception>
    public static OodCalibration Propose(IReadOnlyCollection<double> okDistances, double targetFalseReview, double? modelBound, IReadOnlyCollection<double>? others)
    {
        ArgumentNullException.ThrowIfNull(okDistances);
        var rule = ThresholdCalibration.Calibrate(okDistances, [], targetFalseReview);
        var bound = rule.Threshold;
        var sorted = others is { Count: > 0 } ? others.Order().ToArray() : null;
        return new OodCalibration(
            bound,
            modelBound,
            targetFalseReview,
            rule.OkCount,
            rule.OverkillCount,
            rule.OkQuantiles,
            sorted?.Length,
            sorted?.Count(d => d > bound),
            sorted?[0],
            sorted is null ? null : ScoreQuantiles.Of([.. sorted.Reverse()]).P50,
            modelBound is { } m ? okDistances.Count(d => d > m) : null,
            modelBound is { } n && sorted is not null ? sorted.Count(d => d > n) : null);
    }

    /// <summary>The lines <c>calibrate</c> prints.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var q = OkQuantiles;
        var lines = new List<string>
        {
            string.Create(c, $"OK ood     p50 {q.P50:0.000}  p90 {q.P90:0.000}  p99 {q.P99:0.000}  max {q.Max:0.000}  (about 1 = like the training pairs)"),
            string.Create(c, $"ood bound  {Bound:0.000}  (the model carries {(ModelBound is { } m ? m.ToString("0.000", c) : "none")}); {OkBeyond} of {OkCount} OK at or beyond it, target {TargetFalseReview * 100:0.###}%"),
        };
        if (OthersCount is { } n)
        {
            lines.Add(string.Create(c, $"others     {OthersBeyond} of {n} beyond the bound ({100.0 * OthersBeyond!.Value / n:0.#}%), distances min {OthersMin:0.000}, median {OthersMedian:0.000}"));
        }

        if (ModelBound is { } model)
        {
            lines.Add(string.Create(c, $"model's    bound {model:0.000}: {OkBeyondModelBound} of {OkCount} OK beyond it{(OthersBeyondModelBound is { } o ? $", {o} of {OthersCount} others" : "")}"));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
