using System.Globalization;
using EdgeAgent.Decisions;

namespace EdgeAgent.Verdicts;

/// <summary>
/// The spreadsheet form of verdicts (RFC 4180: fields with a comma, quote or line break are quoted, quotes
/// doubled), one row per verdict. Shared by <c>edgeagent logs --csv</c> and the dashboard's export, so both give
/// the same columns. Text cells that a spreadsheet would take for a formula are neutralised (<see cref="Text"/>).
/// </summary>
public static class VerdictCsv
{
    /// <summary>The header line. Columns are only ever appended, so a sheet that reads them by position keeps working.</summary>
    public const string Header = "seq,id,judged_utc,verdict,reason,product,pair,score,threshold,model,model_version,image,template,detail,alignment_residual_px,alignment_ambiguous,route,ood_template,ood_image,ood_bound,ood_beyond,brightness,contrast,decision,defect_class,decided_by,decided_role,decided_at";

    /// <summary>One verdict as a CSV line (no line break), with no decision.</summary>
    public static string Row(Verdict verdict) => Row(verdict, null);

    /// <summary>One verdict and the newest person's decision about it (the decision columns empty when there is none) as a CSV line.</summary>
    public static string Row(Verdict verdict, OperatorDecision? decision)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var c = CultureInfo.InvariantCulture;
        var v = verdict;
        string[] fields =
        [
            v.Seq.ToString(c), Text(v.Id), Time(v.JudgedAt), Label(v.Outcome),
            Text(v.Reason), Text(v.Product), Text(v.PairId), v.Score?.ToString("R", c) ?? "", v.Threshold?.ToString("R", c) ?? "",
            Text(v.Model?.Name), Text(v.Model?.Version), Text(v.Image.Path), Text(v.Template?.Path), Text(v.Detail),
            v.Alignment?.ResidualPx?.ToString("R", c) ?? "", v.Alignment?.Ambiguous is { } ambiguous ? (ambiguous ? "true" : "false") : "",
            Text(v.Route), v.Ood?.Template.ToString("R", c) ?? "", v.Ood?.Image.ToString("R", c) ?? "", v.Ood?.Bound?.ToString("R", c) ?? "",
            v.Ood is { } o ? (o.Beyond ? "true" : "false") : "",
            v.Photometry?.Brightness.ToString("R", c) ?? "", v.Photometry?.Contrast.ToString("R", c) ?? "",
            decision is null ? "" : Label(decision.Decision), Text(decision?.DefectClass), Text(decision?.By), Text(decision?.Role),
            decision is null ? "" : Time(decision.At),
        ];
        return string.Join(',', fields.Select(Quote));
    }

    /// <summary>A time as the CSV files write it: UTC, milliseconds, <c>Z</c>.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>A verdict kind as the payloads spell it (OK, NG, REVIEW, ERROR).</summary>
    public static string Label(VerdictKind kind) => kind.ToString().ToUpperInvariant();

    /// <summary>
    /// A text cell from outside (pair ids and paths come from the AOI's file names, products, names and comments from
    /// people): one a spreadsheet would run as a formula, starting with = + - @, a tab or a carriage return, gets a
    /// leading single quote, as OWASP's CSV injection advice says. Only text goes through here: numbers the agent
    /// formatted (a score of -0.5) must stay numbers.
    /// </summary>
    internal static string Text(string? cell) =>
        cell is { Length: > 0 } && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell ?? "";

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
