namespace EdgeAgent.Score;

/// <summary>
/// A proposed uncertainty band for a product: OK below <paramref name="Ok"/>, NG at or above <paramref name="Ng"/>, REVIEW
/// between, with what it does on the calibration pairs beside the one threshold <paramref name="Ng"/> alone.
/// <paramref name="Ng"/> is the threshold proposed for the target overkill (a band moves no OK pair to NG); <paramref name="Ok"/>
/// is the highest OK end that lets at most ⌊target·nNG⌋ NG pairs score below it.
/// </summary>
/// <param name="Ok">The band's OK end (OK iff score &lt; it).</param>
/// <param name="Ng">The band's NG end (NG iff score ≥ it): the single threshold.</param>
/// <param name="TargetEscape">The accepted share of NG pairs judged OK, e.g. 0.005.</param>
/// <param name="Band">What the band does on the calibration pairs.</param>
/// <param name="Single">What the one threshold <paramref name="Ng"/> does on the same pairs.</param>
/// <param name="Warning">Set when the NG set is too small to show the target escape rate.</param>
public sealed record BandCalibration(double Ok, double Ng, double TargetEscape, BandFigures Band, BandFigures Single, string? Warning)
{
    // With no NG pair allowed below it and no score below the lowest NG, the OK end sits this share of the score range
    // under the lowest NG score, so float rounding of a re-scored pair cannot carry it across.
    private const double MarginShare = 0.01;

    /// <summary>Proposes the band's OK end under the NG end <paramref name="ng"/> for <paramref name="targetEscape"/> in [0, 1).</summary>
    /// <exception cref="ArgumentException">No NG score, a score that is not finite, or a target outside [0, 1).</exception>
    public static BandCalibration Propose(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double ng, double targetEscape)
    {
        ArgumentNullException.ThrowIfNull(okScores);
        ArgumentNullException.ThrowIfNull(ngScores);
        if (ngScores.Count == 0)
        {
            throw new ArgumentException("At least one NG score is needed to propose a band.", nameof(ngScores));
        }

        if (okScores.Concat(ngScores).Append(ng).Any(s => !double.IsFinite(s)))
        {
            throw new ArgumentException("Scores and the NG end must be finite numbers.", nameof(okScores));
        }

        if (!(targetEscape is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetEscape), targetEscape, "The target escape rate must lie in [0, 1).");
        }

        var ascending = ngScores.Order().ToArray();
        // The epsilon keeps a product like 0.29·100 = 28.999999999999996 from losing one allowed escape.
        int allowed = (int)Math.Floor((targetEscape * ascending.Length) + 1e-9);
        double ok = Math.Min(OkEndFor(ascending, allowed, okScores), ng);
        return new BandCalibration(ok, ng, targetEscape, BandFigures.Of(okScores, ngScores, ok, ng), BandFigures.Of(okScores, ngScores, ng, ng),
            allowed == 0 && targetEscape > 0 ? TooFewWarning(targetEscape, ascending.Length) : null);
    }

    // The (allowed+1)-th lowest NG score must not fall below the OK end. The end goes midway between it and the next score
    // down (OK or NG), so ties never push the escapes past the allowance and a held-out NG pair scoring a little lower
    // still goes to a person; with nothing below it, a margin under it.
    private static double OkEndFor(double[] ascending, int allowed, IReadOnlyCollection<double> okScores)
    {
        if (allowed >= ascending.Length)
        {
            return double.PositiveInfinity; // every NG may escape: the band collapses onto the NG end
        }

        double mustCatch = ascending[allowed];
        var below = okScores.Concat(ascending).Where(s => s < mustCatch).DefaultIfEmpty(double.NaN).Max();
        if (!double.IsNaN(below))
        {
            return below + ((mustCatch - below) / 2);
        }

        var all = okScores.Concat(ascending).ToList();
        double spread = all.Max() - all.Min();
        return mustCatch - (spread > 0 ? MarginShare * spread : mustCatch != 0 ? MarginShare * Math.Abs(mustCatch) : 1e-6);
    }

    private static string TooFewWarning(double target, int ngCount) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"too few NG pairs to show an escape rate of {target * 100:0.###}% (that needs at least {Math.Ceiling(1 / target):0}, there are {ngCount}); the OK end sits under the lowest NG score");
}

/// <summary>What two thresholds do on a set of known-OK and known-NG scores.</summary>
/// <param name="Escapes">NG pairs below the OK end: judged OK.</param>
/// <param name="EscapeRate">Escapes over the NG pairs.</param>
/// <param name="Overkill">OK pairs at or above the NG end: judged NG.</param>
/// <param name="OverkillRate">Overkill over the OK pairs.</param>
/// <param name="Review">Pairs between the two ends: REVIEW UNCERTAIN, a person decides.</param>
/// <param name="Settled">Share of all pairs the box settles without a person (OK or NG).</param>
public sealed record BandFigures(int Escapes, double EscapeRate, int Overkill, double OverkillRate, int Review, double Settled)
{
    /// <summary>The figures of the band [<paramref name="ok"/>, <paramref name="ng"/>) on the scores.</summary>
    public static BandFigures Of(IReadOnlyCollection<double> okScores, IReadOnlyCollection<double> ngScores, double ok, double ng)
    {
        ArgumentNullException.ThrowIfNull(okScores);
        ArgumentNullException.ThrowIfNull(ngScores);
        int escapes = ngScores.Count(s => s < ok);
        int overkill = okScores.Count(s => s >= ng);
        int review = okScores.Concat(ngScores).Count(s => s >= ok && s < ng);
        int all = okScores.Count + ngScores.Count;
        return new BandFigures(
            escapes, ngScores.Count == 0 ? 0 : (double)escapes / ngScores.Count,
            overkill, okScores.Count == 0 ? 0 : (double)overkill / okScores.Count,
            review, all == 0 ? 1 : 1 - ((double)review / all));
    }
}
