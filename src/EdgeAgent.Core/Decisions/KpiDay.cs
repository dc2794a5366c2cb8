namespace EdgeAgent.Decisions;

/// <summary>
/// What the box and its people did for one product on one day: the supervisors' figures. Counted as verdicts and
/// decisions are stored (a decision counts under the day its pair was judged), so they survive archiving and pruning.
/// </summary>
/// <param name="Day">The day, <c>yyyy-MM-dd</c>, UTC or the box's local day.</param>
/// <param name="Product">The product.</param>
/// <param name="Suspects">Pairs the AOI flagged and the box judged.</param>
/// <param name="Ok">Judged OK: overkill the box removed from manual re-inspection.</param>
/// <param name="Ng">Judged NG.</param>
/// <param name="Review">Judged REVIEW: left to a person.</param>
/// <param name="Error">Judged ERROR: unusable input.</param>
/// <param name="Decisions">Pairs a person decided.</param>
/// <param name="Compared">Decided pairs the box had judged OK or NG (the base of <see cref="Agreement"/>).</param>
/// <param name="Agreed">Of those, the person agreed with the box.</param>
/// <param name="Escapes">The box said OK, a person said NG: escapes people found.</param>
/// <param name="OverkillConfirmed">The box said NG, a person said OK.</param>
/// <param name="ReviewDecided">REVIEW pairs a person decided.</param>
/// <param name="ReviewOk">Of those, decided OK.</param>
public sealed record KpiDay(
    string Day,
    string Product,
    long Suspects,
    long Ok,
    long Ng,
    long Review,
    long Error,
    long Decisions,
    long Compared,
    long Agreed,
    long Escapes,
    long OverkillConfirmed,
    long ReviewDecided,
    long ReviewOk)
{
    /// <summary>Share of suspects the box settled without a person (OK or NG); null without suspects.</summary>
    public double? SettledShare => Suspects == 0 ? null : (double)(Ok + Ng) / Suspects;

    /// <summary>Share of decided OK/NG verdicts the person agreed with; null without any.</summary>
    public double? Agreement => Compared == 0 ? null : (double)Agreed / Compared;

    /// <summary>Share of decided REVIEW pairs that ended OK; null without any.</summary>
    public double? ReviewOkRate => ReviewDecided == 0 ? null : (double)ReviewOk / ReviewDecided;

    /// <summary>The sum of several days or products, labelled <paramref name="day"/> and <paramref name="product"/>.</summary>
    public static KpiDay Sum(string day, string product, IEnumerable<KpiDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var all = days.ToList();
        return new KpiDay(day, product, all.Sum(d => d.Suspects), all.Sum(d => d.Ok), all.Sum(d => d.Ng), all.Sum(d => d.Review),
            all.Sum(d => d.Error), all.Sum(d => d.Decisions), all.Sum(d => d.Compared), all.Sum(d => d.Agreed), all.Sum(d => d.Escapes),
            all.Sum(d => d.OverkillConfirmed), all.Sum(d => d.ReviewDecided), all.Sum(d => d.ReviewOk));
    }
}

/// <summary>Which calendar the KPIs are counted in.</summary>
public enum KpiCalendar
{
    /// <summary>UTC days.</summary>
    Utc,

    /// <summary>The box's local days (its time zone).</summary>
    Local,
}
