namespace EdgeAgent.Score;

/// <summary>NG average precision, the lab's metric: the mean precision at the rank of each NG pair, ranked by score.</summary>
public static class AveragePrecision
{
    /// <summary>AP of NG over (score, isNg) pairs; NaN when there is no NG.</summary>
    public static double Compute(IEnumerable<(double Score, bool IsNg)> scored)
    {
        var ranked = scored.OrderByDescending(s => s.Score).ToList();
        int positives = ranked.Count(s => s.IsNg), hits = 0;
        double sum = 0;
        for (int i = 0; i < ranked.Count; i++)
        {
            if (ranked[i].IsNg)
            {
                hits++;
                sum += (double)hits / (i + 1);
            }
        }

        return positives == 0 ? double.NaN : sum / positives;
    }
}
