using System.Globalization;
using LiteDB;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// Runs a <see cref="VerdictQuery"/> on one verdict collection (the journal's or an archive month's), newest first,
/// in short reads. LiteDB walks the <c>seq</c> index one window of at most <see cref="Window"/> verdicts per query,
/// in index order (nothing to sort) and stops at the limit; the other filters are applied to the documents. Why:
/// a LiteDB checkpoint, which the journal runs after every batch, waits for open reads, so no read may be long;
/// and left to itself LiteDB drives a query by the cheapest-looking index (an equality on product or verdict, or
/// the time range) and then sorts every match by <c>seq</c>: 0.7 s for one 500-row page of a 20 000-verdict month
/// here, again for every page. The filter terms are therefore written so that no index applies to them.
/// Only judged verdicts carry a <c>seq</c>, so seen entries and archived stubs never enter the walk.
/// </summary>
internal static class VerdictScan
{
    /// <summary>Most verdicts one query looks at.</summary>
    public const int Window = 2000;

    // Time bounds are turned into seq bounds through the judgedAt index with this slack: seq follows judgement
    // order and judgedAt follows it up to small inversions (a pair rejected early in the pipeline, an NTP step).
    // The exact time filter is still applied to every document.
    private static readonly TimeSpan Slack = TimeSpan.FromHours(1);

    /// <summary>
    /// Up to <paramref name="limit"/> matching documents, highest <c>seq</c> first. <paramref name="timeIndexed"/>: the
    /// collection's judgedAt index holds judged verdicts only (an archive month, not the journal with its stubs), so
    /// the time range may narrow the walk.
    /// </summary>
    public static List<BsonDocument> Newest(ILiteCollection<BsonDocument> verdicts, VerdictQuery query, int limit, bool timeIndexed)
    {
        var found = new List<BsonDocument>();
        var (lo, hi) = SeqRange(verdicts, query, timeIndexed);
        var (terms, values) = Terms(query);
        for (var top = Highest(verdicts, lo, hi); top is { } t && found.Count < limit;)
        {
            var bottom = Math.Max(lo, t - Window + 1);
            var window = BsonExpression.Create("seq BETWEEN @0 AND @1" + terms, [bottom, t, .. values]);
            found.AddRange(verdicts.Query().Where(window).OrderByDescending("seq").Limit(limit - found.Count).ToList());
            // Sequence numbers leave gaps in the journal (archived verdicts): jump to the next one that exists.
            top = bottom > lo ? Highest(verdicts, lo, bottom - 1) : null;
        }

        return found;
    }

    private static (long Lo, long Hi) SeqRange(ILiteCollection<BsonDocument> verdicts, VerdictQuery query, bool timeIndexed)
    {
        long lo = 0, hi = query.BeforeSeq is { } before ? before - 1 : long.MaxValue;
        if (timeIndexed && query.Since is { } since
            && verdicts.Query().Where(BsonExpression.Create("judgedAt < @0", (since - Slack).UtcDateTime)).OrderByDescending("judgedAt").Limit(1).FirstOrDefault() is { } older)
        {
            lo = older["seq"].AsInt64 + 1;
        }

        if (timeIndexed && query.Until is { } until
            && verdicts.Query().Where(BsonExpression.Create("judgedAt >= @0", (until + Slack).UtcDateTime)).OrderBy("judgedAt").Limit(1).FirstOrDefault() is { } newer)
        {
            hi = Math.Min(hi, newer["seq"].AsInt64 - 1);
        }

        return (lo, hi);
    }

    private static long? Highest(ILiteCollection<BsonDocument> verdicts, long lo, long hi) =>
        lo > hi ? null
        : verdicts.Query().Where(BsonExpression.Create("seq BETWEEN @0 AND @1", lo, hi)).OrderByDescending("seq").Limit(1).FirstOrDefault() is { } doc
            ? doc["seq"].AsInt64
            : null;

    // Each term as "(…) = true": a comparison LiteDB can evaluate but cannot serve from an index. A verdict without
    // a score stores null, which LiteDB orders below every number, so score terms also ask for a number.
    private static (string Text, List<BsonValue> Values) Terms(VerdictQuery query)
    {
        var text = new System.Text.StringBuilder();
        var values = new List<BsonValue>();
        // Each '@' of the condition takes the next value, in order.
        void Add(string condition, params BsonValue[] given)
        {
            var parts = condition.Split('@');
            text.Append(" AND (").Append(parts[0]);
            for (var i = 1; i < parts.Length; i++)
            {
                text.Append('@').Append((values.Count + 2).ToString(CultureInfo.InvariantCulture)).Append(parts[i]);
                values.Add(given[i - 1]);
            }

            text.Append(") = true");
        }

        if (query.Since is { } since)
        {
            Add("judgedAt >= @", since.UtcDateTime);
        }

        if (query.Until is { } until)
        {
            Add("judgedAt < @", until.UtcDateTime);
        }

        if (query.Outcome is { } outcome)
        {
            Add("outcome = @", outcome.ToString().ToUpperInvariant());
        }

        if (query.Product is { } product)
        {
            Add("product = @", product);
        }

        if (query.Shadow is { } shadow)
        {
            if (shadow == ShadowFilter.Disagree)
            {
                Add("shadow = @ OR shadow = @", ShadowLabels.Of(ShadowFilter.OkToNg), ShadowLabels.Of(ShadowFilter.NgToOk));
            }
            else
            {
                Add("shadow = @", ShadowLabels.Of(shadow));
            }
        }

        if (query.MinScore is { } min)
        {
            Add("IS_NUMBER(score) AND score >= @", min);
        }

        if (query.MaxScore is { } max)
        {
            Add("IS_NUMBER(score) AND score <= @", max);
        }

        return (text.ToString(), values);
    }
}
