using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Storage.Tests.Log;
using EdgeAgent.Storage.Tests.Support;
using EdgeAgent.Verdicts;
using LiteDB;

namespace EdgeAgent.Storage.Tests.Retention;

/// <summary>Undecided REVIEW verdicts held out of the archive (so people can still decide them), and what is not held.</summary>
public sealed class RetentionReviewHoldTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hold = TimeSpan.FromDays(7);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-hold-").FullName;
    private readonly RetentionOptions _options = new() { Days = 60, ArchiveAfter = TimeSpan.FromHours(1), MaxBytes = long.MaxValue };

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void Apply_UndecidedReviewWithinItsHold_StaysInTheJournalAndCanBeDecided()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "review", VerdictKind.Review, Now.AddDays(-3));
        Store(log, "ok", VerdictKind.Ok, Now.AddDays(-3));

        var result = RetentionPolicy.Apply(log, _options, Now, Hold);

        Assert.Equal(1, result.Archived);
        Assert.Equal("review", Assert.Single(log.ReviewQueue(10)).Verdict.Id);
        Assert.Equal(DecisionStatus.Stored, log.RecordDecision(VerdictLogDecisionsTests.Decide("review", VerdictKind.Ng), Now).Status);
    }

    [Fact]
    public void Apply_UndecidedReviewPastItsHold_ArchivedAndThenRefusedAsArchived()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "review", VerdictKind.Review, Now.AddDays(-3));
        Assert.Equal(0, RetentionPolicy.Apply(log, _options, Now, Hold).Archived);

        var result = RetentionPolicy.Apply(log, _options, Now.AddDays(5), Hold);

        Assert.Equal(1, result.Archived);
        Assert.Empty(log.ReviewQueue(10));
        Assert.Equal((0, 0), log.QueueLength());
        Assert.Equal(DecisionStatus.Archived, log.RecordDecision(VerdictLogDecisionsTests.Decide("review", VerdictKind.Ok), Now.AddDays(5)).Status);
        Assert.Equal("review", log.Get("review")!.Verdict.Id); // still readable from the archive
    }

    [Fact]
    public void Apply_ReviewDecidedWithinItsHold_ArchivedAtTheNextPass()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "review", VerdictKind.Review, Now.AddDays(-3));
        Assert.Equal(0, RetentionPolicy.Apply(log, _options, Now, Hold).Archived);
        log.RecordDecision(VerdictLogDecisionsTests.Decide("review", VerdictKind.Ok), Now);

        Assert.Equal(1, RetentionPolicy.Apply(log, _options, Now.AddMinutes(1), Hold).Archived);
        Assert.Equal(DecisionStatus.Archived, log.RecordDecision(VerdictLogDecisionsTests.Decide("review", VerdictKind.Ng, @override: true), Now).Status);
        Assert.Equal(VerdictKind.Ok, log.DecisionOf("review")!.Decision); // the decision stays after its verdict moved
    }

    [Fact]
    public void Apply_SpotCheckPick_NotHeldAndLeavesTheQueueWhenArchived()
    {
        using var log = VerdictLogDecisionsTests.OpenWithSpotChecks(DbPath, rate: 1);
        Store(log, "ok", VerdictKind.Ok, Now.AddDays(-3));
        Assert.Equal((0, 1), log.QueueLength());

        Assert.Equal(1, RetentionPolicy.Apply(log, _options, Now, Hold).Archived);
        Assert.Equal((0, 0), log.QueueLength());
    }

    [Fact]
    public void Apply_NoHoldAsked_UndecidedReviewArchivedLikeAnyOther()
    {
        using var log = VerdictLog.Open(DbPath);
        Store(log, "review", VerdictKind.Review, Now.AddDays(-3));

        Assert.Equal(1, RetentionPolicy.Apply(log, _options, Now).Archived);
    }

    [Fact]
    public void Apply_VerdictsStoredByAVersionWithoutTheHeldField_StillArchived()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            Store(log, "old-ok", VerdictKind.Ok, Now.AddDays(-3));
            Store(log, "old-review", VerdictKind.Review, Now.AddDays(-3));
        }

        // What an agent before the decisions wrote: the same document without "held".
        using (var raw = new LiteDatabase(new ConnectionString { Filename = DbPath, Connection = ConnectionType.Direct }))
        {
            var verdicts = raw.GetCollection("verdicts");
            foreach (var id in new[] { "old-ok", "old-review" })
            {
                var doc = verdicts.FindById(id);
                Assert.True(doc.Remove("held"));
                verdicts.Update(doc);
            }

            Assert.DoesNotContain(verdicts.FindAll(), d => d.ContainsKey("held"));
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal(2, RetentionPolicy.Apply(reopened, _options, Now, Hold).Archived);
        Assert.Equal(2, reopened.Count());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Store(VerdictLog log, string id, VerdictKind outcome, DateTimeOffset judgedAt)
    {
        log.Append([(VerdictBuilder.Make(id, outcome, judgedAt), "key-" + id)]);
        log.MarkPublished([id], judgedAt);
    }
}
