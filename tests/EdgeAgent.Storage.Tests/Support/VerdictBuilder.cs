using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Support;

/// <summary>The verdict the journal tests store: one AOI image, zero timings, a fixed station.</summary>
internal static class VerdictBuilder
{
    private static readonly DateTimeOffset DefaultJudgedAt = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    public static Verdict Make(
        string id,
        VerdictKind outcome = VerdictKind.Ok,
        DateTimeOffset? at = null,
        string product = "UBM",
        string? reason = null) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "P-" + id,
        Product = product,
        Image = new SourceFile($"/aoi/{id}_image.png", null),
        Outcome = outcome,
        Reason = reason,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = at ?? DefaultJudgedAt,
    };
}
