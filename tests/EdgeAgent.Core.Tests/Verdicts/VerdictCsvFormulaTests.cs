using EdgeAgent.Align;
using EdgeAgent.Decisions;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Core.Tests.Verdicts;

/// <summary>
/// CSV formula injection (OWASP): a text cell a spreadsheet would run as a formula (starting with = + - @, tab or
/// carriage return) gets a leading single quote in the verdict and decision exports; numbers, negative ones
/// included, stay numbers.
/// </summary>
public sealed class VerdictCsvFormulaTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("L0001=ok", "L0001=ok")]
    public void Row_FormulaLikePairId_ExportedAsText(string pairId, string cell)
    {
        var row = VerdictCsv.Row(Judged() with { PairId = pairId, Product = "@BGA" });

        Assert.Contains("," + cell + ",", row, StringComparison.Ordinal);
        Assert.Contains(",'@BGA,", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_NegativeNumbers_StayNumbers()
    {
        var row = VerdictCsv.Row(Judged() with
        {
            Score = -0.5,
            Threshold = -1.25,
            Alignment = Alignment.Identity with { ResidualPx = -0.75 },
            Photometry = new Photometry(-0.1, -2),
        });

        Assert.Contains(",-0.5,-1.25,", row, StringComparison.Ordinal);
        Assert.Contains(",-0.75,", row, StringComparison.Ordinal);
        Assert.Contains(",-0.1,-2,", row, StringComparison.Ordinal);
        Assert.DoesNotContain("'-", row, StringComparison.Ordinal);
    }

    [Fact]
    public void DecisionRow_FormulaLikeTextCells_ExportedAsTextAndTheScoreStaysANumber()
    {
        var decision = new OperatorDecision
        {
            Id = "01JDZ0000000000000000000AB",
            DecisionId = "01JDZ0000000000000000000CD",
            PairId = "=HYPERLINK(\"http://evil.example\")",
            Product = "+BGA",
            AiVerdict = VerdictKind.Review,
            AiScore = -0.5,
            Decision = VerdictKind.Ng,
            DefectClass = "-scratch",
            Comment = "@me",
            By = "=ana",
            Role = "operator",
            At = DateTimeOffset.Parse("2026-11-23T10:05:00.250Z", System.Globalization.CultureInfo.InvariantCulture),
            JudgedAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Station = new StationIdentity("s", "a", "l", "st"),
        };

        var row = DecisionCsv.Row(decision);

        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\",'+BGA,REVIEW,,-0.5,NG,'-scratch,'=ana,operator,false,'@me,", row, StringComparison.Ordinal);
    }

    private static Verdict Judged() => new()
    {
        Id = "01JDZ0000000000000000000AB",
        Seq = 7,
        PairId = "L0001_S01_U001_D01",
        Product = "BGA",
        Image = new SourceFile("/aoi/BGA/L0001_S01_U001_D01_image.png", "aa"),
        Outcome = VerdictKind.Ng,
        Reason = ReasonCode.ScoreAboveThreshold,
        Score = 1.2,
        Threshold = 1.7,
        TimingsMs = new Timings(1, 2, 3, 4, 10),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };
}
