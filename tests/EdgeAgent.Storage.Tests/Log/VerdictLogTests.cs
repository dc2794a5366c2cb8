using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Log;

public sealed class VerdictLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-log-").FullName;

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void Append_Batch_AssignsConsecutiveSequenceNumbers()
    {
        using var log = VerdictLog.Open(DbPath);

        var stored = log.Append([(Make("a", VerdictKind.Ok, T0), "k1"), (Make("b", VerdictKind.Ng, T0), "k2")]);

        Assert.Equal([1L, 2L], stored.Select(v => v.Seq));
        Assert.Equal(2, log.LastSeq);
    }

    [Fact]
    public void Open_ExistingFile_ContinuesSequenceAndRemembersPairs()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            log.Append([(Make("a", VerdictKind.Ok, T0), "k1")]);
        }

        using var reopened = VerdictLog.Open(DbPath);
        var stored = reopened.Append([(Make("b", VerdictKind.Ok, T0), "k2")]);

        Assert.Equal(2, stored[0].Seq);
        Assert.True(reopened.IsJudged("k1"));
        Assert.False(reopened.IsJudged("k3"));
    }

    [Fact]
    public void Pending_UntilMarkedPublished_InSequenceOrder()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("a", VerdictKind.Ok, T0), "k1"), (Make("b", VerdictKind.Ng, T0), "k2"), (Make("c", VerdictKind.Ok, T0), "k3")]);

        log.MarkPublished("b", T0);

        Assert.Equal(["a", "c"], log.Pending(10).Select(p => p.VerdictId));
        Assert.Equal(2, log.PendingCount());
        Assert.Contains("\"id\":\"a\"", log.Pending(1)[0].Json, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_Filters_ByTimeVerdictAndProduct_NewestFirst()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append(
        [
            (Make("a", VerdictKind.Ok, T0, "UBM"), "k1"),
            (Make("b", VerdictKind.Ng, T0.AddHours(1), "UBM"), "k2"),
            (Make("c", VerdictKind.Ng, T0.AddHours(2), "M1"), "k3"),
            (Make("d", VerdictKind.Ng, T0.AddHours(3), "UBM"), "k4"),
        ]);

        var found = log.Find(new VerdictQuery(Since: T0.AddMinutes(30), Outcome: VerdictKind.Ng, Product: "UBM"));

        Assert.Equal(["d", "b"], found.Select(v => v.Id));
    }

    [Fact]
    public void OpenReadOnly_MissingFile_ThrowsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => VerdictLog.OpenReadOnly(Path.Combine(_dir, "none.db")));

    [Fact]
    public void DataDirectoryLock_SecondAgent_IsRefused()
    {
        using var first = DataDirectoryLock.Acquire(_dir);

        var e = Assert.Throws<InvalidOperationException>(() => DataDirectoryLock.Acquire(_dir));

        Assert.Contains(_dir, e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Verdict Make(string id, VerdictKind outcome, DateTimeOffset at, string product = "UBM") => new()
    {
        Id = id,
        Seq = 0,
        PairId = "P-" + id,
        Product = product,
        Image = new SourceFile($"/aoi/{id}_image.png", null),
        Outcome = outcome,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = new StationIdentity("s", "a", "l", "st"),
        JudgedAt = at,
    };
}
