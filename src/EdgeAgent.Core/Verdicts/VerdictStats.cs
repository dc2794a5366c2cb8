using System.Globalization;

namespace EdgeAgent.Verdicts;

/// <summary>
/// Counts (OK/NG/REVIEW/ERROR) and NG rate per UTC hour and per product over a selection of verdicts: the
/// supervisor's daily view, shared by <c>edgeagent logs --stats</c> and the dashboard. Fed one verdict at a time,
/// so a caller can count a selection it reads in chunks without holding it all.
/// </summary>
public sealed class VerdictStats
{
    private readonly SortedDictionary<string, int[]> _hours = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int[]> _products = new(StringComparer.Ordinal);
    private readonly int[] _all = new int[4];
    private readonly SortedDictionary<string, int[]> _unvouched = new(StringComparer.Ordinal);

    /// <summary>Per hour (<c>yyyy-MM-dd HH:00</c>, UTC), oldest first.</summary>
    public IReadOnlyList<VerdictCounts> PerHour => [.. _hours.Select(h => Counts(h.Key, h.Value))];

    /// <summary>Per product, in ordinal order.</summary>
    public IReadOnlyList<VerdictCounts> PerProduct => [.. _products.Select(p => Counts(p.Key, p.Value))];

    /// <summary>
    /// Per product that had any, in ordinal order: pairs not routed (<c>route: none</c>), judged by the default model only by
    /// opt-in (<c>route: default</c>), and beyond their model's out-of-distribution bound.
    /// </summary>
    public IReadOnlyList<UnvouchedCounts> Unvouched => [.. _unvouched.Select(p => new UnvouchedCounts(p.Key, p.Value[0], p.Value[1], p.Value[2]))];

    /// <summary>The whole selection, keyed <c>all</c>.</summary>
    public VerdictCounts All => Counts("all", _all);

    /// <summary>The hour bucket of a judgement time.</summary>
    public static string HourOf(DateTimeOffset judgedAt) => judgedAt.UtcDateTime.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture);

    /// <summary>Counts one verdict.</summary>
    public void Add(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var kind = (int)verdict.Outcome;
        Bucket(_hours, HourOf(verdict.JudgedAt))[kind]++;
        Bucket(_products, verdict.Product)[kind]++;
        _all[kind]++;
        var unvouched = (verdict.Route == "none" ? 1 : 0, verdict.Route == "default" ? 1 : 0, verdict.Ood is { Beyond: true } ? 1 : 0);
        if (unvouched != (0, 0, 0))
        {
            var counts = Bucket(_unvouched, verdict.Product);
            counts[0] += unvouched.Item1;
            counts[1] += unvouched.Item2;
            counts[2] += unvouched.Item3;
        }
    }

    private static int[] Bucket(SortedDictionary<string, int[]> buckets, string key)
    {
        if (!buckets.TryGetValue(key, out var counts))
        {
            counts = new int[4];
            buckets[key] = counts;
        }

        return counts;
    }

    // Indexed by VerdictKind: Ok, Ng, Review, Error.
    private static VerdictCounts Counts(string key, int[] c) => new(key, c.Sum(), c[0], c[1], c[2], c[3]);
}

/// <summary>A product's pairs the box could not vouch for, by why.</summary>
/// <param name="Product">The product.</param>
/// <param name="NotRouted">REVIEW <c>PRODUCT_NOT_ROUTED</c>: nobody configured it and no model was trained on it.</param>
/// <param name="DefaultModel">Judged by the default model only because <c>Routing:UnknownProducts</c> says so.</param>
/// <param name="OutOfDistribution">Beyond their model's out-of-distribution bound (REVIEW, or flagged).</param>
public sealed record UnvouchedCounts(string Product, int NotRouted, int DefaultModel, int OutOfDistribution);

/// <summary>The verdicts of one hour, product or the whole selection.</summary>
/// <param name="Key">The hour, the product or <c>all</c>.</param>
/// <param name="Pairs">Verdicts counted.</param>
/// <param name="Ok">OK verdicts.</param>
/// <param name="Ng">NG verdicts.</param>
/// <param name="Review">REVIEW verdicts.</param>
/// <param name="Error">ERROR verdicts.</param>
public sealed record VerdictCounts(string Key, int Pairs, int Ok, int Ng, int Review, int Error)
{
    /// <summary>NG verdicts per 100 pairs (0 when there are none).</summary>
    public double NgPercent => Pairs == 0 ? 0 : 100.0 * Ng / Pairs;
}
