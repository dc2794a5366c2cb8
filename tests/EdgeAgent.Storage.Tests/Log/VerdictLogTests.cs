using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Tests.Support;
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

        var stored = log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, T0), "k1"), (VerdictBuilder.Make("b", VerdictKind.Ng, T0), "k2")]);

        Assert.Equal([1L, 2L], stored.Select(v => v.Seq));
        Assert.Equal(2, log.LastSeq);
    }

    [Fact]
    public void Open_ExistingFile_ContinuesSequenceAndRemembersPairs()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, T0), "k1")]);
        }

        using var reopened = VerdictLog.Open(DbPath);
        var stored = reopened.Append([(VerdictBuilder.Make("b", VerdictKind.Ok, T0), "k2")]);

        Assert.Equal(2, stored[0].Seq);
        Assert.True(reopened.IsKnown("k1"));
        Assert.False(reopened.IsKnown("k3"));
    }

    [Fact]
    public void Pending_UntilMarkedPublished_InSequenceOrder()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, T0), "k1"), (VerdictBuilder.Make("b", VerdictKind.Ng, T0), "k2"), (VerdictBuilder.Make("c", VerdictKind.Ok, T0), "k3")]);

        log.MarkPublished(["b"], T0);

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
            (VerdictBuilder.Make("a", VerdictKind.Ok, T0, "UBM"), "k1"),
            (VerdictBuilder.Make("b", VerdictKind.Ng, T0.AddHours(1), "UBM"), "k2"),
            (VerdictBuilder.Make("c", VerdictKind.Ng, T0.AddHours(2), "M1"), "k3"),
            (VerdictBuilder.Make("d", VerdictKind.Ng, T0.AddHours(3), "UBM"), "k4"),
        ]);

        var found = log.Find(new VerdictQuery(Since: T0.AddMinutes(30), Outcome: VerdictKind.Ng, Product: "UBM"));

        Assert.Equal(["d", "b"], found.Select(v => v.Id));
    }

    [Fact]
    public void RecordSeen_SamePairTwice_ReturnsTheSameIdAcrossReopen()
    {
        string first;
        using (var log = VerdictLog.Open(DbPath))
        {
            first = log.RecordSeen([Candidate("k1")])[0];
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal(first, reopened.RecordSeen([Candidate("k1")])[0]);
        Assert.NotEqual(first, reopened.RecordSeen([Candidate("k2")])[0]);
        Assert.True(reopened.IsKnown("k1"));
    }

    [Fact]
    public void RecordSeen_OnePassOfPairs_IdsInOrderAndAKnownPairKeepsItsId()
    {
        using var log = VerdictLog.Open(DbPath);
        var known = log.RecordSeen([Candidate("k1")])[0];

        var ids = log.RecordSeen([Candidate("k2"), Candidate("k1"), Candidate("k3")]);

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(known, ids[1]);
        Assert.Equal(["k1", "k2", "k3"], log.Unfinished().Select(p => p.Key).Order());
    }

    [Fact]
    public void Unfinished_AfterReopen_MarksThePairsResumed()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            log.RecordSeen([Candidate("k1")]);
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.True(Assert.Single(reopened.Unfinished()).Resumed);
    }

    [Fact]
    public void Pending_MarkedOutOfOrderThenReopened_CountAndOrderFollowTheFile()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            log.Append([(VerdictBuilder.Make("a", VerdictKind.Ok, T0), "k1"), (VerdictBuilder.Make("b", VerdictKind.Ok, T0), "k2"), (VerdictBuilder.Make("c", VerdictKind.Ok, T0), "k3"), (VerdictBuilder.Make("d", VerdictKind.Ok, T0), "k4")]);
            log.MarkPublished(["a", "c"], T0);
            Assert.Equal(["b", "d"], log.Pending(10).Select(p => p.VerdictId));
        }

        using var reopened = VerdictLog.Open(DbPath);
        Assert.Equal(2, reopened.PendingCount());
        Assert.Equal(["b", "d"], reopened.Pending(10).Select(p => p.VerdictId));

        reopened.MarkPublished(["b", "b"], T0);
        reopened.Append([(VerdictBuilder.Make("e", VerdictKind.Ng, T0), "k5")]);

        Assert.Equal(2, reopened.PendingCount());
        Assert.Equal(["d", "e"], reopened.Pending(10).Select(p => p.VerdictId));
        Assert.Equal(["d"], reopened.Pending(1).Select(p => p.VerdictId));
    }

    [Fact]
    public void BeginAttempt_EachJudgingStart_CountedAcrossReopenUntilJudged()
    {
        string id;
        using (var log = VerdictLog.Open(DbPath))
        {
            id = log.RecordSeen([Candidate("k1")])[0];
            Assert.Equal(1, log.BeginAttempt(id));
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal([2, 3], new[] { reopened.BeginAttempt(id), reopened.BeginAttempt(id) });
        reopened.Append([(VerdictBuilder.Make(id, VerdictKind.Ok, T0), "k1")]);
        Assert.Equal(1, reopened.BeginAttempt(id)); // judged: nothing left to count
    }

    [Fact]
    public void Unfinished_SeenButNotJudged_ResumesWithItsIdUntilJudged()
    {
        using var log = VerdictLog.Open(DbPath);
        var id = log.RecordSeen([Candidate("k1")])[0];

        var resumed = Assert.Single(log.Unfinished());
        Assert.Equal((id, "k1", "/aoi/UBM/P_template.png"), (resumed.VerdictId, resumed.Key, resumed.TemplatePath));
        Assert.Equal("L1", resumed.Trace["lot"]);
        Assert.Empty(log.Pending(10));
        Assert.Equal(0, log.Count());

        log.Append([(VerdictBuilder.Make(id, VerdictKind.Ng, T0), "k1")]);

        Assert.Empty(log.Unfinished());
        Assert.Equal(id, Assert.Single(log.Pending(10)).VerdictId);
        Assert.Equal(1, log.Count());
    }

    [Fact]
    public void Append_PairAlreadyJudgedBeforeACrash_KeepsTheFirstVerdict()
    {
        using var log = VerdictLog.Open(DbPath);
        var id = log.RecordSeen([Candidate("k1")])[0];
        log.Append([(VerdictBuilder.Make(id, VerdictKind.Ng, T0), "k1")]);

        var again = log.Append([(VerdictBuilder.Make(id, VerdictKind.Ok, T0.AddMinutes(1)), "k1")]);

        Assert.Equal(VerdictKind.Ng, again[0].Outcome);
        Assert.Equal(1, log.Count());
        Assert.Equal(1, log.LastSeq);
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

    private static EdgeAgent.Ingest.PairCandidate Candidate(string key) =>
        new(key, "P", "UBM", "/aoi", "/aoi/UBM/P_image.png", "/aoi/UBM/P_template.png", T0, new Dictionary<string, string> { ["lot"] = "L1" });
}
