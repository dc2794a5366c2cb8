using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;
using Microsoft.AspNetCore.Http;

namespace EdgeAgent.Dashboard.Data;

/// <summary>
/// The days a KPI page or <c>/api/kpis</c> call asks for: <c>calendar</c> (<c>utc</c>, the default, or <c>local</c>:
/// the box's time zone), <c>from</c> and <c>to</c> (<c>yyyy-MM-dd</c>, both included; default the last
/// <see cref="DefaultDays"/> days to today, at most <see cref="KpiDays.MaxDays"/>). Mistakes are collected, not thrown: the
/// defaults stand in for what could not be understood.
/// </summary>
public sealed record KpiRange(KpiCalendar Calendar, DateOnly From, DateOnly To, DateOnly Today, IReadOnlyList<string> Errors)
{
    /// <summary>Days shown when the address names none.</summary>
    public const int DefaultDays = 30;

    /// <summary>The calendar's name as the query string and the JSON spell it.</summary>
    public string CalendarName => Calendar == KpiCalendar.Utc ? "utc" : "local";

    /// <summary>Every day of the range, oldest first.</summary>
    public IReadOnlyList<DateOnly> Days => KpiDays.Span(From, To);

    /// <summary>Parses the request's query string; today is the day <paramref name="now"/> falls on in the calendar asked for.</summary>
    public static KpiRange Parse(IQueryCollection query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<string>();
        var calendar = KpiCalendar.Utc;
        if (Given(query, "calendar") is { } name)
        {
            calendar = KpiDays.ParseCalendar(name) ?? Mistake(errors, $"calendar must be utc or local, not '{name}'", KpiCalendar.Utc);
        }

        var today = KpiDays.Date(now, calendar);
        var (from, to, error) = KpiDays.Range(Day(query, "from", errors), Day(query, "to", errors), today, DefaultDays);
        if (error is not null)
        {
            errors.Add(error);
        }

        return new KpiRange(calendar, from, to, today, errors);
    }

    private static DateOnly? Day(IQueryCollection query, string key, List<string> errors) => Given(query, key) is { } text
        ? KpiDays.Parse(text) is { } day
            ? RelativeTime.Within(day) ? day : Mistake<DateOnly?>(errors, $"{key} must be a day {RelativeTime.Range}, not '{text}'", null)
            : Mistake<DateOnly?>(errors, $"{key} must be a day written yyyy-MM-dd, not '{text}'", null)
        : null;

    private static string? Given(IQueryCollection query, string key) =>
        query.TryGetValue(key, out var value) && value.ToString().Trim() is { Length: > 0 } text ? text : null;

    private static T Mistake<T>(List<string> errors, string error, T fallback)
    {
        errors.Add(error);
        return fallback;
    }
}
