using System.Globalization;
using EdgeAgent.Score;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Host.Cli;

/// <summary>The demo's closing lines: counts, recall, overkill and AP against the generator's labels.</summary>
internal static class DemoSummary
{
    public static string Of(IReadOnlyList<Verdict> verdicts, IReadOnlyDictionary<string, string> labels, TimeSpan scoredIn)
    {
        int scoredCount = verdicts.Count(v => v.Score is not null);
        int Count(VerdictKind kind) => verdicts.Count(v => v.Outcome == kind);
        var labelled = verdicts.Select(v => (Verdict: v, Label: labels.GetValueOrDefault(v.Image.Path, "?"))).ToList();
        var ng = labelled.Where(x => x.Label == "NG").ToList();
        var ok = labelled.Where(x => x.Label == "OK").ToList();
        double recall = ng.Count == 0 ? double.NaN : (double)ng.Count(x => x.Verdict.Outcome == VerdictKind.Ng) / ng.Count;
        double overkill = ok.Count == 0 ? double.NaN : (double)ok.Count(x => x.Verdict.Outcome == VerdictKind.Ng) / ok.Count;
        int escapes = ng.Count(x => x.Verdict.Outcome == VerdictKind.Ok);
        double ap = AveragePrecision.Compute(ng.Concat(ok).Where(x => x.Verdict.Score is not null).Select(x => (x.Verdict.Score!.Value, x.Label == "NG")));
        int badCaught = labelled.Count(x => x.Label == "ERROR" && x.Verdict.Outcome == VerdictKind.Error);
        int bad = labels.Values.Count(l => l == "ERROR");
        var provider = verdicts.FirstOrDefault(v => v.Model is not null)?.Model;
        return string.Create(CultureInfo.InvariantCulture,
            $"""
            SUMMARY pairs {verdicts.Count}/{labels.Count}  OK {Count(VerdictKind.Ok)}  NG {Count(VerdictKind.Ng)}  REVIEW {Count(VerdictKind.Review)}  ERROR {Count(VerdictKind.Error)}
            labels  NG recall {recall:P1}  overkill {overkill:P1}  escapes {escapes}  NG AP {ap:F3}  bad inputs caught as ERROR {badCaught}/{bad}
            speed   {scoredCount / scoredIn.TotalSeconds:F1} pairs/s end to end ({scoredCount} scored pairs in {scoredIn.TotalSeconds:F1} s, model {provider?.Name} {provider?.Version} on {provider?.Provider})
            """);
    }
}
