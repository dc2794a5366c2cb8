using System.Globalization;
using System.Text.Json;
using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary><c>edgeagent logs --decisions</c>: people's decisions, newest first, as a table, JSON lines or CSV.</summary>
internal static class DecisionsView
{
    // Wide enough for a sentence, narrow enough to keep one decision on one terminal line.
    private const int CommentWidth = 40;

    /// <summary>The decisions made in the query's time range (of its product), newest first, at most its limit.</summary>
    public static int Print(VerdictLog log, VerdictQuery query, bool json, bool csv)
    {
        var decisions = log.Decisions(query.Since, query.Until, query.Product, query.Limit);
        if (json)
        {
            foreach (var decision in decisions)
            {
                Console.WriteLine(JsonSerializer.Serialize(decision, DecisionJsonContext.Default.OperatorDecision));
            }

            return 0;
        }

        if (csv)
        {
            Console.WriteLine(DecisionCsv.Header);
            foreach (var decision in decisions)
            {
                Console.WriteLine(DecisionCsv.Row(decision));
            }

            return 0;
        }

        Console.WriteLine($"{"at (UTC)",-19}  {"verdict id",-26}  {"product",-10}  {"pair",-24}  {"AI -> decision",-16}  {"class",-10}  {"by",-12}  {"role",-10}  {"override",-8}  comment");
        foreach (var d in decisions)
        {
            var change = $"{VerdictCsv.Label(d.AiVerdict)} -> {VerdictCsv.Label(d.Decision)}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{d.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {d.Id,-26}  {d.Product,-10}  {d.PairId,-24}  {change,-16}  {d.DefectClass ?? "",-10}  {d.By,-12}  {d.Role,-10}  {(d.Override ? "yes" : ""),-8}  {Truncated(d.Comment)}"));
        }

        Console.WriteLine($"{decisions.Count} decision(s) shown, {log.PendingDecisionCount()} waiting for the broker");
        return 0;
    }

    // One line per decision: line breaks and tabs a person typed become spaces.
    private static string Truncated(string? comment)
    {
        var flat = string.Concat((comment ?? "").Select(c => char.IsControl(c) ? ' ' : c));
        return flat.Length <= CommentWidth ? flat : flat[..(CommentWidth - 1)] + "…";
    }
}
