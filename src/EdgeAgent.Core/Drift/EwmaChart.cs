using System.Text.Json.Serialization;

namespace EdgeAgent.Drift;

/// <summary>
/// An EWMA control chart of one series of one product, as persisted: the calibration window's running mean and sum
/// of squares (Welford), then the EWMA against limits at the window's mean ± L·σ·√(λ/(2−λ) + 1/N). The 1/N term is
/// the reference mean's own error: a window of 500 puts it ~0.27 of the EWMA's σ off on average, and without the term
/// a stable stream of 20,000 pairs crossed L = 5 limits in 0.6 % of simulated runs per series (0.0 % with it at 5.5).
/// </summary>
/// <param name="Series">The <see cref="DriftSeries"/> name.</param>
/// <param name="N">Values in the calibration window so far (at most the window size).</param>
/// <param name="Mean">The window's mean: the reference.</param>
/// <param name="M2">The window's sum of squared deviations.</param>
/// <param name="Ewma">The EWMA since the window closed (starts at the reference).</param>
/// <param name="Pairs">Values seen since the window closed.</param>
/// <param name="Alarm">Beyond a limit now: one event per excursion.</param>
/// <param name="AlarmAt">When the current excursion's event was raised.</param>
public sealed record EwmaChart(string Series, long N, double Mean, double M2, double Ewma, long Pairs, bool Alarm, DateTimeOffset? AlarmAt = null)
{
    // A series that hardly varies in its window (a synthetic camera, confidence pinned at 1) would get limits a
    // rounding error wide: σ is at least 1 % of the reference's size.
    private const double MinRelativeSigma = 0.01;
    private const double MinSigma = 1e-6;

    // Back inside three quarters of the limit before an excursion counts as over: an EWMA hovering at the limit
    // raises one event, not one per pair.
    private const double Hysteresis = 0.75;

    // Each value enters the EWMA clipped to the reference ± 3 σ (a Huber-style robust EWMA): a rare far value, such as
    // the alignment residual of one pair whose layout barely registers, moves the average by at most λ·3σ instead of
    // tipping it over the limit. On normal data it changes 0.3 % of values, on drift it changes nothing (a drifted
    // series moves its bulk, not its tail). Without it, the bench's residual series raised two events in 100,000
    // stable pairs.
    private const double Clip = 3.0;

    /// <summary>A chart with nothing learned yet.</summary>
    public static EwmaChart Empty(string series) => new(series, 0, 0, 0, 0, 0, false);

    /// <summary>True once the calibration window is full and the chart is in force.</summary>
    public bool Calibrated(int window) => N >= window;

    /// <summary>The reference σ of the window (with its floor).</summary>
    [JsonIgnore]
    public double Sigma => Math.Max(Math.Max(N > 1 ? Math.Sqrt(M2 / (N - 1)) : 0, MinRelativeSigma * Math.Abs(Mean)), MinSigma);

    /// <summary>Half the width between the control limits.</summary>
    public double HalfWidth(DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.L * Sigma * Math.Sqrt((options.Lambda / (2 - options.Lambda)) + (1.0 / Math.Max(1, N)));
    }

    /// <summary>
    /// The chart after one more value, and whether that value took the EWMA beyond a limit for the first time in this
    /// excursion. Non-finite values are ignored.
    /// </summary>
    public (EwmaChart Next, bool Raised) Observe(double value, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(value))
        {
            return (this, false);
        }

        if (!Calibrated(options.Window))
        {
            var n = N + 1;
            var delta = value - Mean;
            var mean = Mean + (delta / n);
            var learning = this with { N = n, Mean = mean, M2 = M2 + (delta * (value - mean)), Ewma = mean };
            return (learning, false);
        }

        var clipped = Math.Clamp(value, Mean - (Clip * Sigma), Mean + (Clip * Sigma));
        var ewma = (options.Lambda * clipped) + ((1 - options.Lambda) * Ewma);
        var off = Math.Abs(ewma - Mean);
        var half = HalfWidth(options);
        var alarm = Alarm ? off > Hysteresis * half : off > half;
        return (this with { Ewma = ewma, Pairs = Pairs + 1, Alarm = alarm, AlarmAt = alarm ? AlarmAt : null }, alarm && !Alarm);
    }

    /// <summary>The limit the EWMA lies beyond (or is nearest to).</summary>
    public double CrossedLimit(DriftOptions options) => Ewma >= Mean ? Mean + HalfWidth(options) : Mean - HalfWidth(options);
}
