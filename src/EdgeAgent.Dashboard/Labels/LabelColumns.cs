using System.Globalization;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Labels;

/// <summary>
/// The columns of an exported <c>labels.csv</c>. The first ten are the synthetic generator's (keep in sync with
/// <c>LabelsCsv</c> in EdgeAgent.Vision and <c>read_labels</c> in models/train/train_stpm.py): paths relative to the
/// export's folder with '/' separators, label <c>OK</c>/<c>NG</c>, dx/dy/angle_deg the agent's image→template alignment
/// (the generator's convention), no masks. The rest say where the label came from.
/// </summary>
internal static class LabelColumns
{
    public const string Header = "product,id,image,template,label,defect,dx,dy,angle_deg,mask,"
        + "verdict_id,judged_utc,ai_verdict,ai_reason,score,threshold,threshold_ok,model,model_version,decision,defect_class,decided_by,decided_utc";

    public static string Row(Verdict v, OperatorDecision? d)
    {
        var c = CultureInfo.InvariantCulture;
        var label = d?.Decision ?? v.Outcome;
        // The generator's defect column: "none" for OK; for NG the person's class, else the top class a model named.
        var defect = label == VerdictKind.Ok ? "none"
            : d?.DefectClass ?? v.Models?.SelectMany(m => m.Classes ?? []).FirstOrDefault()?.Name ?? "unknown";
        var a = v.Alignment;
        return Csv(
        [
            v.Product, v.PairId, RelativePath(v, v.Image), RelativePath(v, v.Template!), VerdictCsv.Label(label), defect,
            (a?.Dx ?? 0).ToString("R", c), (a?.Dy ?? 0).ToString("R", c), (a?.AngleDeg ?? 0).ToString("R", c), "",
            v.Id, VerdictCsv.Time(v.JudgedAt), VerdictCsv.Label(v.Outcome), v.Reason ?? "",
            v.Score?.ToString("R", c) ?? "", v.Threshold?.ToString("R", c) ?? "", v.Band?.Ok.ToString("R", c) ?? "",
            v.Model?.Name ?? "", v.Model?.Version ?? "",
            d is null ? "" : VerdictCsv.Label(d.Decision), d?.DefectClass ?? "", d?.By ?? "", d is null ? "" : VerdictCsv.Time(d.At),
        ]);
    }

    /// <summary>Where a pair's file goes in the export: <c>&lt;product&gt;/&lt;file name as judged&gt;</c>.</summary>
    public static string RelativePath(Verdict v, SourceFile file) => Safe(v.Product) + "/" + Path.GetFileName(file.Path);

    /// <summary>
    /// One CSV line, quoted as the verdict exports are (<see cref="VerdictCsv.Quote"/>) but with no formula guard:
    /// the training recipe reads these cells as paths and ids, so they must stay exactly as judged.
    /// </summary>
    public static string Csv(IEnumerable<string> fields) => string.Join(',', fields.Select(VerdictCsv.Quote));

    // A product name becomes one folder name, whatever it holds.
    private static string Safe(string product) =>
        product.Length == 0 || product is "." or ".." ? "_" : string.Concat(product.Select(ch => Path.GetInvalidFileNameChars().Contains(ch) ? '_' : ch));
}
