using System.Globalization;

namespace EdgeAgent.Decisions;

/// <summary>
/// The days the KPI tallies are kept under (<c>yyyy-MM-dd</c>), in UTC or in the box's local time zone, the way the
/// journal counts them: <c>logs --stats</c>, the dashboard and the heartbeat name the same days.
/// </summary>
public static class KpiDays
{
    /// <summary>The format of a day.</summary>
    public const string Format = "yyyy-MM-dd";

    /// <summary>The day <paramref name="at"/> falls on in <paramref name="calendar"/>.</summary>
    public static string Of(DateTimeOffset at, KpiCalendar calendar) =>
        Date(at, calendar).ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The date <paramref name="at"/> falls on in <paramref name="calendar"/>.</summary>
    public static DateOnly Date(DateTimeOffset at, KpiCalendar calendar) =>
        DateOnly.FromDateTime(calendar == KpiCalendar.Utc ? at.UtcDateTime : TimeZoneInfo.ConvertTime(at, TimeZoneInfo.Local).DateTime);

    /// <summary>A day as text.</summary>
    public static string Text(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses a day written <c>yyyy-MM-dd</c>; null when it is not one.</summary>
    public static DateOnly? Parse(string? text) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    /// <summary>Most days one KPI request (dashboard, API or <c>logs --stats</c>) reads.</summary>
    public const int MaxDays = 366;

    /// <summary>
    /// The days a KPI request asks for: <paramref name="to"/> (default <paramref name="today"/>) and
    /// <paramref name="from"/> (default <paramref name="defaultDays"/> days up to <c>to</c>), both included. A range
    /// that ends before it starts, or spans more than <see cref="MaxDays"/>, gets an error and the nearest usable range.
    /// </summary>
    public static (DateOnly From, DateOnly To, string? Error) Range(DateOnly? from, DateOnly? to, DateOnly today, int defaultDays)
    {
        var last = to ?? today;
        var first = from ?? last.AddDays(1 - defaultDays);
        if (first > last)
        {
            return (today.AddDays(1 - defaultDays), today, $"from ({Text(first)}) is after to ({Text(last)})");
        }

        return last.DayNumber - first.DayNumber + 1 > MaxDays
            ? (last.AddDays(1 - MaxDays), last, $"at most {MaxDays} days at once")
            : (first, last, null);
    }

    /// <summary>Every day from <paramref name="from"/> to <paramref name="to"/>, both included, oldest first.</summary>
    public static IReadOnlyList<DateOnly> Span(DateOnly from, DateOnly to) =>
        [.. Enumerable.Range(0, Math.Max(0, to.DayNumber - from.DayNumber + 1)).Select(from.AddDays)];

    /// <summary>Parses a calendar name (<c>utc</c> or <c>local</c>, any case); null when it is neither.</summary>
    public static KpiCalendar? ParseCalendar(string? text) => text?.ToUpperInvariant() switch
    {
        "UTC" => KpiCalendar.Utc,
        "LOCAL" => KpiCalendar.Local,
        _ => null,
    };
}
