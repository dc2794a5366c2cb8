using EdgeAgent.Score;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Data;

/// <summary>
/// What the overview shows about a whole selection: the counts per hour and per product (the <c>logs --stats</c>
/// numbers) and the histogram of OK and NG scores with the threshold. When the selection mixes thresholds (several
/// products or models), the line marks the most common one and <see cref="ThresholdNote"/> says so.
/// </summary>
/// <param name="Stats">Counts per hour, per product and overall.</param>
/// <param name="Histogram">OK and NG scores binned, or null when the selection has none.</param>
/// <param name="ThresholdNote">Set when thresholds differ within the selection.</param>
/// <param name="Scanned">Verdicts counted.</param>
/// <param name="Truncated">True when the selection holds more than the scan limit: only the newest were counted.</param>
public sealed record Summary(VerdictStats Stats, ScoreBins? Histogram, string? ThresholdNote, int Scanned, bool Truncated)
{
    /// <summary>Counts <paramref name="verdicts"/> (a scan of at most <paramref name="maxScan"/>).</summary>
    public static Summary Of(IEnumerable<Verdict> verdicts, int maxScan)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var stats = new VerdictStats();
        var ok = new List<double>();
        var ng = new List<double>();
        var thresholds = new Dictionary<double, int>();
        var scanned = 0;
        foreach (var verdict in verdicts)
        {
            stats.Add(verdict);
            scanned++;
            if (verdict is { Score: { } score, Threshold: { } threshold, Outcome: VerdictKind.Ok or VerdictKind.Ng })
            {
                (verdict.Outcome == VerdictKind.Ok ? ok : ng).Add(score);
                thresholds[threshold] = thresholds.GetValueOrDefault(threshold) + 1;
            }
        }

        if (thresholds.Count == 0)
        {
            return new Summary(stats, null, null, scanned, scanned >= maxScan);
        }

        var marked = thresholds.MaxBy(t => t.Value).Key;
        var note = thresholds.Count == 1 ? null
            : $"thresholds differ within this selection ({thresholds.Keys.Min():0.###} to {thresholds.Keys.Max():0.###}); the line marks the most common, {marked:0.###}: pick a product for an exact view";
        return new Summary(stats, ScoreHistogram.Bin(ok, ng, marked), note, scanned, scanned >= maxScan);
    }
}
