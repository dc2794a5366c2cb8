using System.Globalization;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Decisions;

/// <summary>The spreadsheet form of people's decisions (<c>edgeagent logs --decisions --csv</c>), quoted and with formula-like text neutralised as <see cref="VerdictCsv"/> does.</summary>
public static class DecisionCsv
{
    /// <summary>The header line. Columns are only ever appended, so a sheet that reads them by position keeps working.</summary>
    public const string Header = "decided_at,decision_id,id,pair,product,ai_verdict,ai_reason,ai_score,decision,defect_class,decided_by,decided_role,override,comment,judged_utc";

    /// <summary>One decision as a CSV line (no line break).</summary>
    public static string Row(OperatorDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var d = decision;
        string[] fields =
        [
            VerdictCsv.Time(d.At), VerdictCsv.Text(d.DecisionId), VerdictCsv.Text(d.Id), VerdictCsv.Text(d.PairId), VerdictCsv.Text(d.Product),
            VerdictCsv.Label(d.AiVerdict), VerdictCsv.Text(d.AiReason), d.AiScore?.ToString("R", CultureInfo.InvariantCulture) ?? "", VerdictCsv.Label(d.Decision),
            VerdictCsv.Text(d.DefectClass), VerdictCsv.Text(d.By), VerdictCsv.Text(d.Role), d.Override ? "true" : "false", VerdictCsv.Text(d.Comment),
            VerdictCsv.Time(d.JudgedAt),
        ];
        return string.Join(',', fields.Select(VerdictCsv.Quote));
    }
}
