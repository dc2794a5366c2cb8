using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Retention;

public sealed class RetentionPolicyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-retention-").FullName;
    private readonly RetentionOptions _options = new() { Days = 60, ArchiveAfter = TimeSpan.FromHours(1), MaxBytes = long.MaxValue };

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void Apply_PublishedAndOld_MovesToMonthFileAndThePairStaysKnown()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "a", Now.AddDays(-3), published: true);
        Store(log, "b", Now.AddMinutes(-5), published: true);

        var result = RetentionPolicy.Apply(log, _options, Now);

        Assert.Equal(1, result.Archived);
        Assert.Equal(["verdicts-2026-11.db"], log.Archive.Months().Select(m => Path.GetFileName(m.Path)));
        Assert.True(log.IsKnown("key-a"));
        Assert.Equal(["b", "a"], log.Find(new VerdictQuery()).Select(v => v.Id));
        Assert.Equal(2, log.Count());
    }

    [Fact]
    public void Apply_UnpublishedHoweverOld_IsNeverArchivedNorPruned()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "a", Now.AddDays(-400), published: false);

        RetentionPolicy.Apply(log, _options, Now);

        Assert.Empty(log.Archive.Months());
        Assert.Equal("a", Assert.Single(log.Pending(10)).VerdictId);
    }

    [Fact]
    public void Apply_MonthsOlderThanDays_DeletedWholeAndTheCurrentMonthKept()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "old", new DateTimeOffset(2026, 8, 10, 0, 0, 0, TimeSpan.Zero), published: true);
        Store(log, "mid", new DateTimeOffset(2026, 10, 10, 0, 0, 0, TimeSpan.Zero), published: true);
        Store(log, "now", Now.AddDays(-1), published: true);

        var result = RetentionPolicy.Apply(log, _options, Now);

        Assert.Equal(["verdicts-2026-08.db"], result.DeletedMonths);
        Assert.Equal(["mid", "now"], log.Find(new VerdictQuery()).Select(v => v.Id).Order());
        Assert.False(log.IsKnown("key-old"));
    }

    [Fact]
    public void Apply_OverTheSizeBudget_DeletesOldestMonthsButNeverTheCurrentOne()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "sep", new DateTimeOffset(2026, 9, 10, 0, 0, 0, TimeSpan.Zero), published: true);
        Store(log, "oct", new DateTimeOffset(2026, 10, 10, 0, 0, 0, TimeSpan.Zero), published: true);
        Store(log, "nov", Now.AddDays(-1), published: true);

        var result = RetentionPolicy.Apply(log, new RetentionOptions { Days = 365, ArchiveAfter = TimeSpan.FromHours(1), MaxBytes = 1 }, Now);

        Assert.Equal(["verdicts-2026-09.db", "verdicts-2026-10.db"], result.DeletedMonths);
        Assert.True(result.OverBudget);
        Assert.Equal("nov", Assert.Single(log.Find(new VerdictQuery())).Id);
    }

    [Fact]
    public void Open_AfterEverythingWasArchived_ContinuesTheSequence()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            Store(log, "a", Now.AddDays(-2), published: true);
            RetentionPolicy.Apply(log, _options, Now);
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal(2, reopened.Append([(Make("b", Now), "key-b")])[0].Seq);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Store(VerdictLog log, string id, DateTimeOffset judgedAt, bool published)
    {
        log.Append([(Make(id, judgedAt), "key-" + id)]);
        if (published)
        {
            log.MarkPublished(id, judgedAt);
        }
    }

    private static Verdict Make(string id, DateTimeOffset at) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "P-" + id,
        Product = "UBM",
        Image = new SourceFile($"/aoi/{id}_image.png", null),
        Outcome = VerdictKind.Ok,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = at,
    };
}
