using EdgeAgent.Align;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Verdicts;

public sealed class VerdictCsvTests
{
    [Fact]
    public void Row_AlignedVerdict_HasTheResidualAndAmbiguityColumns()
    {
        var row = VerdictCsv.Row(Judged(new Alignment(1.5, -2, 0.25, 0.9) { ResidualPx = 3.42, Ambiguous = true }));

        Assert.Contains(",3.42,true,", row, StringComparison.Ordinal);
        Assert.Contains(",detail,alignment_residual_px,alignment_ambiguous,", VerdictCsv.Header, StringComparison.Ordinal);
        Assert.Equal(VerdictCsv.Header.Split(',').Length, row.Split(',').Length);
    }

    [Fact]
    public void Row_VerdictWithRouteAndDistances_HasThemBeforeTheLighting()
    {
        var row = VerdictCsv.Row(Judged(EdgeAgent.Align.Alignment.Identity) with { Route = "default", Ood = new OodReading(1.25, 3.5, 2.511, Beyond: true) });

        Assert.Contains(",default,1.25,3.5,2.511,true,,,", row, StringComparison.Ordinal);
        Assert.Contains(",route,ood_template,ood_image,ood_bound,ood_beyond,brightness,contrast,", VerdictCsv.Header, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_VerdictWithPhotometry_EndsWithBrightnessAndContrast()
    {
        var row = VerdictCsv.Row(Judged(EdgeAgent.Align.Alignment.Identity) with { Photometry = new Photometry(0.9731, 1.052) });

        Assert.EndsWith(",0.9731,1.052,,,,,", row, StringComparison.Ordinal); // then the (empty) decision columns
        Assert.Equal(VerdictCsv.Header.Split(',').Length, row.Split(',').Length);
    }

    [Fact]
    public void Row_DecidedVerdict_EndsWithTheDecisionColumnsAppendedAfterTheLighting()
    {
        var verdict = Judged(EdgeAgent.Align.Alignment.Identity);
        var decision = new OperatorDecision
        {
            Id = verdict.Id,
            DecisionId = "01JDZ0000000000000000000CD",
            PairId = verdict.PairId,
            Product = verdict.Product,
            AiVerdict = verdict.Outcome,
            Decision = VerdictKind.Ng,
            DefectClass = "scratch",
            Comment = "not in the CSV",
            By = "ana",
            Role = "operator",
            At = DateTimeOffset.Parse("2026-11-23T10:05:00.250Z", System.Globalization.CultureInfo.InvariantCulture),
            JudgedAt = verdict.JudgedAt,
            Station = verdict.Station,
        };

        var row = VerdictCsv.Row(verdict, decision);

        Assert.EndsWith(",brightness,contrast,decision,defect_class,decided_by,decided_role,decided_at", VerdictCsv.Header, StringComparison.Ordinal);
        Assert.EndsWith(",NG,scratch,ana,operator,2026-11-23T10:05:00.250Z", row, StringComparison.Ordinal);
        Assert.Equal(VerdictCsv.Row(verdict), VerdictCsv.Row(verdict, null));
        Assert.Equal(VerdictCsv.Header.Split(',').Length, row.Split(',').Length);
    }

    [Fact]
    public void Row_UnalignedVerdict_LeavesTheAlignmentColumnsEmpty()
    {
        var row = VerdictCsv.Row(Judged(EdgeAgent.Align.Alignment.Identity));

        Assert.EndsWith(",,,,,,,,,,,,,,", row, StringComparison.Ordinal); // no residual, ambiguity, route, distances, lighting or decision
    }

    private static Verdict Judged(Alignment alignment) => new()
    {
        Id = "01JDZ0000000000000000000AB",
        Seq = 7,
        PairId = "L0001_S01_U001_D01",
        Product = "BGA",
        Image = new SourceFile("/aoi/BGA/L0001_S01_U001_D01_image.png", "aa"),
        Template = new SourceFile("/aoi/BGA/L0001_S01_U001_D01_template.png", "bb"),
        Outcome = VerdictKind.Review,
        Reason = ReasonCode.AlignmentUntrusted,
        Detail = "residual misregistration 3.4 px exceeds 3 px",
        Score = 1.2,
        Threshold = 1.7,
        Alignment = alignment,
        TimingsMs = new Timings(1, 2, 3, 4, 10),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };
}
