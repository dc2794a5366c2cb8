using System.Globalization;
using System.Text.Json;
using EdgeAgent.Host.Hosting;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.Configuration;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent logs</c>: the supervisor's view of the local verdict log.</summary>
internal static class LogsVerb
{
    public static int Run(Arguments arguments)
    {
        var configuration = new ConfigurationBuilder().AddAgentConfiguration(arguments.Get("config"), new Dictionary<string, string?>()).Build();
        var storage = configuration.GetSection(VerdictLogOptions.Section).Get<VerdictLogOptions>() ?? new VerdictLogOptions();
        storage.DataDirectory = arguments.Get("data-dir") ?? storage.DataDirectory;
        var now = DateTimeOffset.UtcNow;
        var query = new VerdictQuery(
            ParseTime(arguments.Get("since"), now, "since"),
            ParseTime(arguments.Get("until"), now, "until"),
            arguments.Get("verdict") is { } v ? ParseVerdict(v) : null,
            arguments.Get("product"),
            (int)arguments.Number("limit", 50));
        bool json = arguments.Flag("json");
        bool audit = arguments.Flag("audit");
        arguments.RejectUnknown();

        using var log = VerdictLog.OpenReadOnly(storage.DatabasePath);
        if (audit)
        {
            return PrintAudit(log, query.Limit);
        }

        var verdicts = log.Find(query);
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

    // "2h", "30m", "7d" mean that long ago; anything else must be an ISO 8601 time.
    private static DateTimeOffset? ParseTime(string? text, DateTimeOffset now, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            switch (text[^1])
            {
                case 'm': return now.AddMinutes(-amount);
                case 'h': return now.AddHours(-amount);
                case 'd': return now.AddDays(-amount);
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new UsageException($"--{option} must be like 2h, 30m, 7d or an ISO time, not '{text}'.");
    }
}
