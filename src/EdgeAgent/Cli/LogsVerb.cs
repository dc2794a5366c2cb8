using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent logs</c>: the supervisor's view of the local verdict log.</summary>
internal static class LogsVerb
{
    public static Command Command()
    {
        var dataDir = CliOptions.Text("--data-dir", "DIR", "the agent's data directory [default: Storage:DataDirectory of the configuration]");
        var since = CliOptions.Text("--since", "2h|ISO", "only verdicts judged since then (30m, 2h, 7d or an ISO time)");
        var until = CliOptions.Text("--until", "ISO", "only verdicts judged before then");
        var verdict = CliOptions.Text("--verdict", "OK|NG|REVIEW|ERROR", "only this outcome");
        var product = CliOptions.Text("--product", "P", "only this product");
        var limit = new Option<int?>("--limit") { Description = "at most this many rows, newest first [default: 50; all with --stats]", HelpName = "N" };
        var json = CliOptions.Flag("--json", "one JSON verdict record per line");
        var csv = CliOptions.Flag("--csv", "one CSV row per verdict (RFC 4180)");
        var stats = CliOptions.Flag("--stats", "counts and NG rate per hour and per product, then the KPIs per day and product (the days of --since/--until, default the last 7)");
        var local = CliOptions.Flag("--local", "with --stats: the KPIs by the box's local days instead of UTC days");
        var decisions = CliOptions.Flag("--decisions", "people's decisions (made in --since/--until) instead of verdicts");
        var audit = CliOptions.Flag("--audit", "the model lifecycle and threshold audit trail instead of verdicts");
        var config = CliOptions.Config();
        var command = new Command("logs", "the supervisor's view of the local verdict log")
            .With(dataDir, since, until, verdict, product, limit, json, csv, stats, local, decisions, audit, config);
        command.SetAction((result, _) => Task.FromResult(Run(result.GetValue(config), result.GetValue(dataDir), result.GetValue(since), result.GetValue(until),
            result.GetValue(verdict), result.GetValue(product), result.GetValue(limit), result.GetValue(json), result.GetValue(csv), result.GetValue(audit), result.GetValue(stats),
            result.GetValue(decisions), result.GetValue(local))));
        return command;
    }

    public static int Run(string? configFile, string? dataDir, string? since, string? until, string? outcome, string? product, int? limit,
        bool json, bool csv, bool audit, bool stats, bool decisions, bool local)
    {
        if (decisions && (stats || audit || outcome is not null))
        {
            throw new UsageException("--decisions lists decisions: it takes --since, --until, --product, --limit and --json or --csv, not --stats, --audit or --verdict.");
        }

        if (local && !stats)
        {
            throw new UsageException("--local chooses the days of the KPIs: it goes with --stats.");
        }

        using var options = VerbOptions.Read(configFile);
        var storage = options.Get<VerdictLogOptions>();
        storage.DataDirectory = dataDir ?? storage.DataDirectory;
        var now = TimeProvider.System.GetUtcNow();
        var query = new VerdictQuery(
            since is null ? null : CliOptions.Time(since, now, "since"),
            until is null ? null : CliOptions.Time(until, now, "until"),
            outcome is { } v ? ParseVerdict(v) : null,
            product,
            limit ?? (stats ? int.MaxValue : 50));
        var calendar = local ? KpiCalendar.Local : KpiCalendar.Utc;
        var kpiDays = stats ? KpiTable.Days(calendar, query.Since, query.Until, now) : default;

        using var log = VerdictLog.OpenReadOnly(storage.DatabasePath);
        if (audit)
        {
            return PrintAudit(log, query.Limit);
        }

        if (decisions)
        {
            return DecisionsView.Print(log, query, json, csv);
        }

        var verdicts = log.Find(query);
        if (stats)
        {
            PrintStats(verdicts);
            KpiTable.Print(log, calendar, kpiDays.From, kpiDays.To, product);
            return 0;
        }

        if (csv)
        {
            PrintCsv(log, verdicts);
            return 0;
        }

        if (json)
        {
            foreach (var verdict in verdicts)
            {
                Console.WriteLine(JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict));
            }

            return 0;
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"{"seq",6}  {"judged (UTC)",-19}  {"verdict",-7}  {"product",-10}  {"pair",-24}  {"score",7}  {"thresh",7}  reason");
        foreach (var x in verdicts)
        {
            Console.WriteLine(string.Create(c,
                $"{x.Seq,6}  {x.JudgedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {x.Outcome.ToString().ToUpperInvariant(),-7}  {x.Product,-10}  {x.PairId,-24}  {x.Score,7:F3}  {x.Threshold,7:F3}  {x.Reason}{(x.Detail is null ? "" : ": " + x.Detail)}"));
        }

        Console.WriteLine($"{verdicts.Count} verdict(s) shown, {log.Count()} in the log, {log.PendingCount()} waiting for the broker");
        return 0;
    }

    /// <summary>One row per verdict, the columns a spreadsheet needs (RFC 4180 quoting), with its newest decision.</summary>
    private static void PrintCsv(VerdictLog log, IReadOnlyList<Verdict> verdicts)
    {
        Console.WriteLine(VerdictCsv.Header);
        var decided = log.DecisionsOf(verdicts.Select(v => v.Id));
        foreach (var v in verdicts)
        {
            Console.WriteLine(VerdictCsv.Row(v, decided.GetValueOrDefault(v.Id)));
        }
    }

    /// <summary>Counts and NG rate per hour and per product over the selected verdicts, the supervisor's daily view.</summary>
    private static void PrintStats(IReadOnlyList<Verdict> verdicts)
    {
        static string Row(VerdictCounts n) => string.Create(CultureInfo.InvariantCulture,
            $"{n.Key,-16}  {n.Pairs,6}  {n.Ok,6}  {n.Ng,6}  {n.Review,6}  {n.Error,6}  {n.NgPercent,6:F1}");
        static string Header(string key) => $"{key,-16}  {"pairs",6}  {"OK",6}  {"NG",6}  {"REVIEW",6}  {"ERROR",6}  {"NG %",6}";
        var stats = new VerdictStats();
        foreach (var verdict in verdicts)
        {
            stats.Add(verdict);
        }

        Console.WriteLine(Header("hour (UTC)"));
        foreach (var hour in stats.PerHour)
        {
            Console.WriteLine(Row(hour));
        }

        Console.WriteLine();
        Console.WriteLine(Header("product"));
        foreach (var product in stats.PerProduct)
        {
            Console.WriteLine(Row(product));
        }

        Console.WriteLine(Row(stats.All));
    }

    /// <summary>The model lifecycle and threshold audit trail, newest first.</summary>
    private static int PrintAudit(VerdictLog log, int limit)
    {
        Console.WriteLine($"{"at (UTC)",-19}  {"action",-17}  {"actor",-16}  {"product",-10}  {"model",-24}  {"version",-10}  detail");
        foreach (var a in log.AuditTrail(limit))
        {
            Console.WriteLine($"{a.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {a.Action,-17}  {a.Actor,-16}  {a.Product ?? "",-10}  {a.Model ?? "",-24}  {a.Version ?? "",-10}  {a.Detail}");
        }

        return 0;
    }

    private static VerdictKind ParseVerdict(string text) =>
        Enum.TryParse<VerdictKind>(text, ignoreCase: true, out var kind) ? kind
        : throw new UsageException($"--verdict must be OK, NG, REVIEW or ERROR, not '{text}'.");
}
