using System.Globalization;

namespace EdgeAgent.Verdicts;

/// <summary>
/// The time filters supervisors type: <c>30m</c>, <c>2h</c>, <c>7d</c> mean that long before now; anything else
/// must be an ISO 8601 time (UTC unless it says otherwise), between <see cref="Earliest"/> and <see cref="Latest"/>.
/// Shared by <c>edgeagent logs</c>, the dashboard and the KPI days.
/// </summary>
public static class RelativeTime
{
    /// <summary>The earliest time a filter may name: no verdict is older, and day arithmetic from here cannot leave the calendar.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest time a filter may name (the last instant of 2999): far from the end of <see cref="DateTime"/>, which a probe's 9999-12-31 plus a day or a time zone overflowed.</summary>
    public static readonly DateTimeOffset Latest = new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1);

    /// <summary>The bounds in words, for the messages that refuse a time outside them.</summary>
    public const string Range = "between 1970-01-01 and 2999-12-31";

    /// <summary>
    /// The time <paramref name="text"/> names, or null when it is neither form or an ISO time outside
    /// <see cref="Earliest"/> … <see cref="Latest"/>. A relative time reaching back past <see cref="Earliest"/> means
    /// "everything" and stops there.
    /// </summary>
    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount) && amount >= 0)
        {
            var back = text[^1] switch
            {
                'm' => TimeSpan.FromMinutes(Math.Min(amount, 1e7)),
                'h' => TimeSpan.FromHours(Math.Min(amount, 1e6)),
                'd' => TimeSpan.FromDays(Math.Min(amount, 1e5)),
                _ => (TimeSpan?)null,
            };
            if (back is { } span)
            {
                return now - Earliest < span ? Earliest : now - span;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && Within(time) ? time : null;
    }

    /// <summary>Whether <paramref name="time"/> is one a filter may name.</summary>
    public static bool Within(DateTimeOffset time) => time >= Earliest && time <= Latest;

    /// <summary>Whether <paramref name="day"/> is one a KPI range may name.</summary>
    public static bool Within(DateOnly day) => day.Year is >= 1970 and <= 2999;
}
