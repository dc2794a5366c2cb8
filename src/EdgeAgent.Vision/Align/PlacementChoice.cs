using System.Globalization;

namespace EdgeAgent.Vision.Align;

/// <summary>The placement <see cref="PlacementChoice"/> picked, how decisively (0..1), and why it is ambiguous (null when it is not).</summary>
internal sealed record Choice(Refinement Placement, double Decisiveness, string? Ambiguity);

/// <summary>
/// Chooses among the refined placements of an image on its template. On a periodic layout they are the lattice's
/// positions, whole pitches apart, and the non-periodic layout (pads, traces, marks, streets) normally makes the true
/// one correlate clearly best. The rule:
/// <list type="number">
/// <item>Placements within <see cref="TieMargin"/> of the best correlation are nearly as good: a difference that small
/// is what defects, lighting and noise make, not evidence about the layout.</item>
/// <item>One such placement: it wins, and its lead over the next distinct placement scales the confidence
/// (fully decisive from <see cref="DecisiveMargin"/>, twice the tie margin).</item>
/// <item>Several: the AOI's own registration decides. It is rarely more than a few pixels off, so the placement nearest
/// zero shift wins when that prior favours it at least <see cref="PriorOdds"/>:1 over the next nearest, with the
/// registration error taken as Gaussian of σ = MaxShiftPx / 4 (the trusted shift is its 4σ envelope). A 70 px pitch
/// with the truth 8.6 px off is decided at once (odds e^28); a 20 px pitch with the truth 12 px off (next candidate 8 px
/// off the other way) is not: no rule can tell those apart, so the alignment is ambiguous and the pair goes to REVIEW.</item>
/// </list>
/// </summary>
internal static class PlacementChoice
{
    /// <summary>Correlation difference below which two placements are nearly as good (measured: see README, alignment).</summary>
    public const double TieMargin = 0.03;

    /// <summary>
    /// A lead of this much over the next distinct placement is fully decisive; smaller leads scale the confidence down,
    /// to half at the tie margin, so a winner only just out of the tie stays below the default MinConfidence (0.5).
    /// Twice the tie margin: at 0.1 (before the zero-shift start existed) the lattice neighbour it adds sent 2 of 1,000
    /// correctly aligned ball-array pairs to REVIEW (leads 0.035–0.045, few features besides the balls).
    /// </summary>
    public const double DecisiveMargin = 2 * TieMargin;

    /// <summary>How strongly the zero-shift prior must favour the nearest tied placement over the next for it to decide.</summary>
    public const double PriorOdds = 10;

    /// <summary>Null when no placement converged.</summary>
    public static Choice? Choose(IReadOnlyList<Refinement> refined, double maxShiftPx)
    {
        var placements = Distinct(refined);
        if (placements.Count == 0)
        {
            return null;
        }

        var best = placements.MaxBy(p => p.Correlation)!;
        var tied = placements.Where(p => p.Correlation >= best.Correlation - TieMargin).OrderBy(Distance).ToList();
        if (tied.Count == 1)
        {
            var second = placements.Where(p => p != best).Select(p => p.Correlation).DefaultIfEmpty(double.NegativeInfinity).Max();
            return new Choice(best, Math.Clamp((best.Correlation - second) / DecisiveMargin, 0, 1), null);
        }

        var (nearest, next) = (tied[0], tied[1]);
        var sigma = Math.Max(maxShiftPx / 4, 0.5);
        var logOdds = ((Distance(next) * Distance(next)) - (Distance(nearest) * Distance(nearest))) / (2 * sigma * sigma);
        if (logOdds >= Math.Log(PriorOdds))
        {
            return new Choice(nearest, 1, null);
        }

        var n = nearest.Alignment;
        var o = next.Alignment;
        return new Choice(nearest, 1, string.Create(CultureInfo.InvariantCulture,
            $"ambiguous: placements ({n.Dx:0.0}, {n.Dy:0.0}) and ({o.Dx:0.0}, {o.Dy:0.0}) px match nearly equally (correlation {nearest.Correlation:0.000} and {next.Correlation:0.000}) and the AOI's registration favours neither"));
    }

    private static double Distance(Refinement r) => Math.Sqrt((r.Alignment.Dx * r.Alignment.Dx) + (r.Alignment.Dy * r.Alignment.Dy));

    // Placements that converged to the same place (within a pixel) are one; the better-correlating copy stays.
    private static List<Refinement> Distinct(IReadOnlyList<Refinement> refined)
    {
        var distinct = new List<Refinement>(refined.Count);
        foreach (var r in refined.OrderByDescending(r => r.Correlation))
        {
            if (!distinct.Any(d => Math.Abs(d.Alignment.Dx - r.Alignment.Dx) < 1 && Math.Abs(d.Alignment.Dy - r.Alignment.Dy) < 1))
            {
                distinct.Add(r);
            }
        }

        return distinct;
    }
}
