using EdgeAgent.Verdicts;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>Verdicts built in code, for tests of counting and filtering.</summary>
public static class VerdictBuilder
{
    public static Verdict Make(string id, VerdictKind outcome, DateTimeOffset judgedAt, string product = "UBM", double? score = null, string? detail = null) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "L1_S1_U1_" + id,
        Product = product,
        Image = new SourceFile($"/aoi/{product}/{id}_image.png", null),
        Template = new SourceFile($"/aoi/{product}/{id}_template.png", null),
        Outcome = outcome,
        Reason = outcome switch
        {
            VerdictKind.Ng => ReasonCode.ScoreAboveThreshold,
            VerdictKind.Review => ReasonCode.AlignmentUntrusted,
            VerdictKind.Error => ReasonCode.Truncated,
            _ => null,
        },
        Detail = detail,
        Score = score,
        Threshold = score is null ? null : 1.0,
        TimingsMs = new Timings(1, 2, 3, 4, 10),
        Station = new StationIdentity("fab1", "wlp", "l3", "aoi2"),
        JudgedAt = judgedAt,
    };
}
