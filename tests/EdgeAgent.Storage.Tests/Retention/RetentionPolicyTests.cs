using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;
using LiteDB;

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
    public void Apply_ArchivedPairWhoseImageIsGone_IsForgottenAtOnce()
    {
        using var log = VerdictLog.Open(DbPath);
        var image = WriteImage("moved");
        Store(log, "moved", Now.AddDays(-1), published: true, PairKey.Of(image, File.GetLastWriteTimeUtc(image)));
        File.Delete(image);

        var result = RetentionPolicy.Apply(log, _options, Now);

        Assert.Equal((1, 1), (result.Archived, result.Forgotten));
        Assert.Equal("moved", Assert.Single(log.Find(new VerdictQuery())).Id);
    }

    [Fact]
    public void Apply_ArchivedPairWhoseImageIsStillThere_StaysKnownHoweverOld()
    {
        using var log = VerdictLog.Open(DbPath);
        var image = WriteImage("kept");
        var key = PairKey.Of(image, File.GetLastWriteTimeUtc(image));
        Store(log, "kept", Now.AddDays(-400), published: true, key);

        var result = RetentionPolicy.Apply(log, _options, Now);

        Assert.Equal(0, result.Forgotten);
        Assert.True(log.IsKnown(key));
    }

    [Fact]
    public void Apply_ArchivedPairWhoseImageWasRewritten_IsForgotten()
    {
        using var log = VerdictLog.Open(DbPath);
        var image = WriteImage("rewritten");
        var key = PairKey.Of(image, File.GetLastWriteTimeUtc(image));
        File.SetLastWriteTimeUtc(image, File.GetLastWriteTimeUtc(image).AddSeconds(5));
        Store(log, "rewritten", Now.AddDays(-1), published: true, key);

        Assert.Equal(1, RetentionPolicy.Apply(log, _options, Now).Forgotten);
        Assert.False(log.IsKnown(key));
    }

    [Fact]
    public void Apply_ArchivedPairInAFolderThatIsMissing_KeptUntilDaysPass()
    {
        using var log = VerdictLog.Open(DbPath);
        var unmounted = Path.Combine(_dir, "share-not-mounted", "recent_image.png");
        Store(log, "recent", Now.AddDays(-1), published: true, PairKey.Of(unmounted, Now.UtcDateTime));
        Store(log, "ancient", Now.AddDays(-61), published: true, PairKey.Of(unmounted.Replace("recent", "ancient", StringComparison.Ordinal), Now.UtcDateTime));

        var result = RetentionPolicy.Apply(log, _options, Now);

        Assert.Equal(1, result.Forgotten);
        Assert.True(log.IsKnown(PairKey.Of(unmounted, Now.UtcDateTime)));
    }

    [Fact]
    public void Open_AfterACrashBetweenArchiveWriteAndStubbing_CountsEachVerdictOnce()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            Store(log, "a", Now.AddDays(-2), published: true);
        }

        // What a SIGKILL right after VerdictArchive.Write leaves: the verdict in its month file and still judged in the journal.
        using (var raw = new LiteDatabase(new ConnectionString { Filename = DbPath, Connection = ConnectionType.Direct }))
        {
            new VerdictArchive(Path.Combine(_dir, "archive")).Write([raw.GetCollection("verdicts").FindById("a")]);
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal(1, reopened.Count());
        Assert.Equal(0, RetentionPolicy.Apply(reopened, _options, Now).Archived);
        Assert.True(reopened.IsKnown("key-a"));
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

    private string WriteImage(string id)
    {
        var path = Path.Combine(_dir, "aoi", id + "_image.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }

    private static void Store(VerdictLog log, string id, DateTimeOffset judgedAt, bool published, string? pairKey = null)
    {
        log.Append([(Make(id, judgedAt), pairKey ?? "key-" + id)]);
        if (published)
        {
            log.MarkPublished([id], judgedAt);
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
