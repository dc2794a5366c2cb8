using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Log;

/// <summary>The heatmap kept with each verdict document, and the dashboard's lookups: by id, by score, by page.</summary>
public sealed class VerdictLogHeatmapTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-heatmap-").FullName;
    private readonly RetentionOptions _retention = new() { Days = 60, ArchiveAfter = TimeSpan.FromHours(1), MaxBytes = long.MaxValue };

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void Append_WithHeatmap_StoredBesideTheVerdictNotInThePublishedPayload()
    {
        using var log = VerdictLog.Open(DbPath);
        var heatmap = Heatmap(7);

        log.Append([(Make("a", Now, 1.5), "k1", [new ModelHeatmap("m", heatmap)]), (Make("b", Now, null), "k2", null)]);

        var stored = log.Get("a")!;
        Assert.Equal(256, stored.Heatmap!.Crop);
        Assert.Equal(heatmap.Levels, stored.Heatmap.Levels);
        Assert.Null(log.Get("b")!.Heatmap);
        Assert.DoesNotContain("heatmap", log.Pending(10)[0].Json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(heatmap.Levels, log.FindStored(new VerdictQuery()).Single(v => v.Verdict.Id == "a").Heatmap!.Levels);
    }

    [Fact]
    public void Get_AfterArchiving_VerdictAndHeatmapComeFromTheMonthFile()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "a", Now.AddDays(-3), Heatmap(9));

        Assert.Equal(1, RetentionPolicy.Apply(log, _retention, Now).Archived);

        var stored = log.Get("a")!;
        Assert.Equal(Heatmap(9).Levels, stored.Heatmap!.Levels);
        Assert.Equal("a", stored.Verdict.Id);
        Assert.Equal(["verdicts-2026-11.db"], log.Archive.Months().Select(m => Path.GetFileName(m.Path)));
    }

    [Fact]
    public void Get_ArchivedAndStubForgotten_FoundInTheMonthOfItsId()
    {
        using var log = VerdictLog.Open(DbPath);
        var id = new VerdictIdGenerator(TimeProvider.System).Next();
        var judged = VerdictIdGenerator.TimestampOf(id);
        var image = Path.Combine(_dir, "aoi", "gone_image.png"); // its folder exists, the file does not: the stub goes
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        log.Append([(Make(id, judged, 2.0), PairKey.Of(image, DateTime.UtcNow), [new ModelHeatmap("m", Heatmap(3))])]);
        log.MarkPublished([id], judged);
        log.ArchivePublished(judged.AddSeconds(1));

        Assert.Equal(1, log.ForgetArchived(judged));
        Assert.False(log.IsKnown(PairKey.Of(image, DateTime.UtcNow)));
        Assert.Equal(Heatmap(3).Levels, log.Get(id)!.Heatmap!.Levels);
    }

    [Fact]
    public void Get_MonthPrunedByRetention_HeatmapGoneWithTheVerdict()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "old", new DateTimeOffset(2026, 8, 10, 0, 0, 0, TimeSpan.Zero), Heatmap(1));

        Assert.Equal(["verdicts-2026-08.db"], RetentionPolicy.Apply(log, _retention, Now).DeletedMonths);

        Assert.Null(log.Get("old"));
    }

    [Fact]
    public void Find_ScoreRange_OnlyScoredVerdictsWithin()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("low", Now, 0.2), "k1"), (Make("mid", Now, 1.0), "k2"), (Make("high", Now, 3.0), "k3"), (Make("none", Now, null), "k4")]);

        Assert.Equal(["mid", "low"], log.Find(new VerdictQuery(MaxScore: 1.0)).Select(v => v.Id));
        Assert.Equal(["high", "mid"], log.Find(new VerdictQuery(MinScore: 0.5)).Select(v => v.Id));
        Assert.Equal(["mid"], log.Find(new VerdictQuery(MinScore: 0.5, MaxScore: 2)).Select(v => v.Id));
    }

    [Fact]
    public void Find_BeforeSeq_ReturnsTheNextPageAcrossJournalAndArchive()
    {
        using var log = VerdictLog.Open(DbPath);
        foreach (var (id, days) in new[] { ("a", 5), ("b", 4), ("c", 3), ("d", 0), ("e", 0) })
        {
            Store(log, id, Now.AddDays(-days).AddMinutes(-61), null);
        }

        RetentionPolicy.Apply(log, new RetentionOptions { Days = 60, ArchiveAfter = TimeSpan.FromDays(1), MaxBytes = long.MaxValue }, Now);

        var first = log.Find(new VerdictQuery(Limit: 2));
        var second = log.Find(new VerdictQuery(Limit: 2, BeforeSeq: first[^1].Seq));
        var third = log.Find(new VerdictQuery(Limit: 2, BeforeSeq: second[^1].Seq));
        Assert.Equal(["e", "d", "c", "b", "a"], first.Concat(second).Concat(third).Select(v => v.Id));
        Assert.Equal(3, log.Archive.Count());
    }

    [Fact]
    public void Find_JournalFullOfOlderUnpublished_NewerArchivedVerdictsStillComeFirst()
    {
        using var log = VerdictLog.Open(DbPath);
        var stored = log.Append([.. Enumerable.Range(0, 12).Select(i => (Make($"v{i:D2}", Now.AddHours(-5).AddMinutes(i), 1.0), $"k{i}"))]);
        foreach (var v in stored.Where(v => v.Seq > 4))
        {
            log.MarkPublished([v.Id], v.JudgedAt); // the first four stay unpublished, in the journal
        }

        RetentionPolicy.Apply(log, _retention, Now);

        Assert.Equal(4, log.PendingCount());
        Assert.Equal(["v11", "v10", "v09"], log.Find(new VerdictQuery(Limit: 3)).Select(v => v.Id));
        Assert.Equal(["v03", "v02"], log.Find(new VerdictQuery(Limit: 2, BeforeSeq: 5)).Select(v => v.Id));
        Assert.Equal(["v05", "v04", "v03"], log.Find(new VerdictQuery(Until: Now.AddHours(-5).AddMinutes(6), Limit: 3)).Select(v => v.Id));
        Assert.Equal(12, log.Find(new VerdictQuery(Since: Now.AddHours(-6), Limit: 100)).Count);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VerdictHeatmap Heatmap(byte seed) =>
        new(256, [.. Enumerable.Range(0, VerdictHeatmap.Side * VerdictHeatmap.Side).Select(i => (byte)((i * seed) % 256))]);

    private static void Store(VerdictLog log, string id, DateTimeOffset judgedAt, VerdictHeatmap? heatmap)
    {
        log.Append([(Make(id, judgedAt, 1.0), "key-" + id, heatmap is null ? null : [new ModelHeatmap("m", heatmap)])]);
        log.MarkPublished([id], judgedAt);
    }

    private static Verdict Make(string id, DateTimeOffset at, double? score) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "P-" + id,
        Product = "UBM",
        Image = new SourceFile($"/aoi/{id}_image.png", null),
        Outcome = score >= 1.0 ? VerdictKind.Ng : score is null ? VerdictKind.Error : VerdictKind.Ok,
        Score = score,
        Threshold = score is null ? null : 1.0,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = at,
    };
}
