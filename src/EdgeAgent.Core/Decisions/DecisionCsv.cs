using System.Globalization;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Decisions;

/// <summary>The spreadsheet form of people's decisions (<c>edgeagent logs --decisions --csv</c>), quoted as <see cref="VerdictCsv"/> quotes.</summary>
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
            VerdictCsv.Time(d.At), d.DecisionId, d.Id, d.PairId, d.Product, VerdictCsv.Label(d.AiVerdict), d.AiReason ?? "",
            d.AiScore?.ToString("R", CultureInfo.InvariantCulture) ?? "", VerdictCsv.Label(d.Decision), d.DefectClass ?? "", d.By, d.Role,
            d.Override ? "true" : "false", d.Comment ?? "", VerdictCsv.Time(d.JudgedAt),
        ];
        return string.Join(',', fields.Select(VerdictCsv.Quote));
    }
}
