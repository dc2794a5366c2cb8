using EdgeAgent.Verdicts;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>What a consumer received: deliveries per id, the first copy of each verdict, seq in first-arrival order.</summary>
public sealed record ConsumerSnapshot(
    IReadOnlyDictionary<string, int> DeliveriesById,
    IReadOnlyDictionary<string, Verdict> ById,
    IReadOnlyList<long> SeqInArrivalOrder,
    int Unparsable)
{
    /// <summary>Messages received, duplicates included.</summary>
    public int Deliveries => DeliveriesById.Values.Sum();

    /// <summary>Deliveries beyond the first per id (allowed by at-least-once, counted).</summary>
    public int Duplicates => Deliveries - DeliveriesById.Count;

    /// <summary>First arrivals whose seq is lower than one that arrived before them.</summary>
    public int OutOfOrder()
    {
        long max = long.MinValue;
        int late = 0;
        foreach (var seq in SeqInArrivalOrder)
        {
            late += seq < max ? 1 : 0;
            max = Math.Max(max, seq);
        }

        return late;
    }

    /// <summary>Distinct ids received per image path (a pair with two ids was judged twice).</summary>
    public ILookup<string, string> IdsByImage() => ById.Values.ToLookup(v => v.Image.Path, v => v.Id);
}
