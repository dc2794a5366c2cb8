namespace EdgeAgent.Score;

/// <summary>How the verdicts of several models on one pair make the pair's verdict (<c>Products:&lt;p&gt;:Combine</c>).</summary>
public enum CombinePolicy
{
    /// <summary>NG when any model says NG.</summary>
    AnyNg,

    /// <summary>NG only when every model says NG.</summary>
    AllNg,

    /// <summary>NG when more than half of the models say NG.</summary>
    Vote,

    /// <summary>Seed 001's rule: the classifier's OK suppresses the others; its NG lets them decide (as <see cref="AnyNg"/>).</summary>
    Gate,
}

/// <summary>One model's say on a pair: its score and threshold (NG iff score ≥ threshold), and whether it is the gate.</summary>
public readonly record struct MemberScore(double Score, double Threshold, bool IsGate)
{
    /// <summary>score / threshold: every model's NG begins at 1, whatever its scale.</summary>
    public double Normalised => Score / Threshold;

    /// <summary>The model's own verdict.</summary>
    public bool Ng => Score >= Threshold;
}

/// <summary>
/// Combines member scores into the pair's score on a common scale, threshold 1: each model's score is divided by
/// its threshold (NG iff ≥ 1). <c>any-ng</c> takes the largest, <c>all-ng</c> the smallest, <c>vote</c> the k-th
/// largest with k = ⌊n/2⌋ + 1 (≥ 1 exactly when a strict majority says NG), <c>gate</c> the others' largest when
/// the gate says NG, else the smaller of the gate's and the others' largest (below 1: suppressed). The verdict is
/// taken from the members' own verdicts, so a model's NG never depends on a division's rounding.
/// </summary>
public static class Combination
{
    /// <summary>The combined score (threshold 1) and whether the pair is NG.</summary>
    public static (double Score, bool Ng) Combine(CombinePolicy policy, IReadOnlyList<MemberScore> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("A combination needs at least one model.", nameof(members));
        }

        var others = members.Where(m => !(policy == CombinePolicy.Gate && m.IsGate)).ToList();
        switch (policy)
        {
            case CombinePolicy.Gate:
                var gate = members.First(m => m.IsGate);
                var best = others.MaxBy(m => m.Normalised);
                return gate.Ng ? (best.Normalised, best.Ng) : (Math.Min(gate.Normalised, best.Normalised), false);
            case CombinePolicy.AllNg:
                var lowest = members.MinBy(m => m.Normalised);
                return (lowest.Normalised, members.All(m => m.Ng));
            case CombinePolicy.Vote:
                int k = (members.Count / 2) + 1;
                var kth = members.OrderByDescending(m => m.Normalised).ElementAt(k - 1);
                return (kth.Normalised, members.Count(m => m.Ng) >= k);
            default:
                var highest = members.MaxBy(m => m.Normalised);
                return (highest.Normalised, members.Any(m => m.Ng));
        }
    }

    /// <summary>The configuration name of <paramref name="policy"/>: <c>any-ng</c>, <c>all-ng</c>, <c>vote</c>, <c>gate</c>.</summary>
    public static string Name(this CombinePolicy policy) => policy switch
    {
        CombinePolicy.AllNg => "all-ng",
        CombinePolicy.Vote => "vote",
        CombinePolicy.Gate => "gate",
        _ => "any-ng",
    };

    /// <summary>The policy named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static CombinePolicy? Parse(string? name) =>
        Enum.GetValues<CombinePolicy>().Cast<CombinePolicy?>().FirstOrDefault(p => string.Equals(p!.Value.Name(), name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
