using System.Globalization;
using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Host.Cli;

/// <summary>The KPI part of <c>edgeagent logs --stats</c>: the journal's tallies per day and product, then per product over the days.</summary>
internal static class KpiTable
{
    // Without --since: a week, the span a supervisor compares shifts over.
    private const int DefaultDays = 7;

    /// <summary>
    /// The days from <paramref name="since"/> to <paramref name="until"/>, each the day it falls on in
    /// <paramref name="calendar"/>; default the last 7 days to today, at most <see cref="KpiDays.MaxDays"/>.
    /// Checked before anything is printed: a range that cannot be shown is a command-line mistake.
    /// </summary>
    public static (DateOnly From, DateOnly To) Days(KpiCalendar calendar, DateTimeOffset? since, DateTimeOffset? until, DateTimeOffset now)
    {
        var (from, to, error) = KpiDays.Range(Day(since, calendar), Day(until, calendar), KpiDays.Date(now, calendar), DefaultDays);
        return error is null ? (from, to) : throw new UsageException($"the KPI days of --since/--until: {error}");
    }

    /// <summary>The KPIs of the days <paramref name="from"/> to <paramref name="to"/>, of <paramref name="product"/> or every product.</summary>
    public static void Print(VerdictLog log, KpiCalendar calendar, DateOnly from, DateOnly to, string? product)
    {
        var days = log.Kpis(calendar, KpiDays.Text(from), KpiDays.Text(to)).Where(k => product is null || k.Product == product).ToList();
        Console.WriteLine();
        Console.WriteLine($"KPIs per {(calendar == KpiCalendar.Utc ? "UTC" : "local")} day and product, {KpiDays.Text(from)} to {KpiDays.Text(to)} (a decision counts under the day its pair was judged)");
        Console.WriteLine(Header());
        foreach (var day in days)
        {
            Console.WriteLine(Row(day.Day, day));
        }

        if (days.Count == 0)
        {
            Console.WriteLine("no pairs judged on these days");
            return;
        }

        foreach (var total in days.GroupBy(d => d.Product, StringComparer.Ordinal).Select(g => KpiDay.Sum("all days", g.Key, g)))
        {
            Console.WriteLine(Row(total.Day, total));
        }
    }

    private static DateOnly? Day(DateTimeOffset? at, KpiCalendar calendar) => at is { } time ? KpiDays.Date(time, calendar) : null;

    private static string Header() =>
        $"{"day",-10}  {"product",-10}  {"suspects",8}  {"OK",6}  {"NG",6}  {"REVIEW",6}  {"ERROR",6}  {"settled %",9}  {"decided",7}  {"agree %",7}  {"escapes",7}  {"overkill",8}  {"REVIEW->OK %",12}";

    private static string Row(string day, KpiDay k) => string.Create(CultureInfo.InvariantCulture,
        $"{day,-10}  {k.Product,-10}  {k.Suspects,8}  {k.Ok,6}  {k.Ng,6}  {k.Review,6}  {k.Error,6}  {Percent(k.SettledShare),9}  {k.Decisions,7}  {Percent(k.Agreement),7}  {k.Escapes,7}  {k.OverkillConfirmed,8}  {Percent(k.ReviewOkRate),12}");

    private static string Percent(double? share) => share is { } s ? (s * 100).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
