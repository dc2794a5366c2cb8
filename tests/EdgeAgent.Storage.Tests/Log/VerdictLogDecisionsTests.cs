using System.Globalization;
using EdgeAgent.Decisions;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Tests.Support;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Log;

/// <summary>Operators' decisions, the review queue and the KPI tallies in the real journal file.</summary>
public sealed class VerdictLogDecisionsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-decisions-").FullName;

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void RecordDecision_JudgedVerdict_StoredWithItsAuditRowAndReadBack()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("r1", VerdictKind.Review, T0), "k1")]);

        var result = log.RecordDecision(Decide("r1", VerdictKind.Ng, "scratch", "edge of pad"), T0.AddMinutes(5));

        Assert.Equal(DecisionStatus.Stored, result.Status);
        Assert.Null(result.Existing);
        var stored = log.DecisionOf("r1");
        Assert.NotNull(stored);
        Assert.Equal(result.Decision, stored);
        Assert.Equal(("r1", "P-r1", "UBM", VerdictKind.Review, VerdictKind.Ng), (stored.Id, stored.PairId, stored.Product, stored.AiVerdict, stored.Decision));
        Assert.Equal(("scratch", "edge of pad", "ana", "operator", false), (stored.DefectClass, stored.Comment, stored.By, stored.Role, stored.Override));
        Assert.Equal((T0.AddMinutes(5), T0), (stored.At, stored.JudgedAt));
        var audit = log.AuditTrail(1)[0];
        Assert.Equal(("decided", "ana", "UBM"), (audit.Action, audit.Actor, audit.Product));
        Assert.Contains("AI REVIEW -> NG scratch by operator", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordDecision_UnknownOrNotYetJudgedId_UnknownVerdictAndNothingStored()
    {
        using var log = VerdictLog.Open(DbPath);
        var seen = log.RecordSeen([new EdgeAgent.Ingest.PairCandidate("k9", "P9", "UBM", "/aoi", "/aoi/P9_image.png", "/aoi/P9_template.png", T0, new Dictionary<string, string>())])[0];

        Assert.Equal(DecisionStatus.UnknownVerdict, log.RecordDecision(Decide("nope", VerdictKind.Ok), T0).Status);
        Assert.Equal(DecisionStatus.UnknownVerdict, log.RecordDecision(Decide(seen, VerdictKind.Ok), T0).Status);
        Assert.Empty(log.Decisions());
        Assert.Empty(log.AuditTrail(10));
    }

    [Fact]
    public void RecordDecision_SecondDecisionWithoutOverride_AlreadyDecidedNamingTheFirst()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("r1", VerdictKind.Review, T0), "k1")]);
        var first = log.RecordDecision(Decide("r1", VerdictKind.Ok), T0).Decision;

        var second = log.RecordDecision(Decide("r1", VerdictKind.Ng, by: "ben"), T0.AddMinutes(1));

        Assert.Equal(DecisionStatus.AlreadyDecided, second.Status);
        Assert.Null(second.Decision);
        Assert.Equal(first, second.Existing);
        Assert.Equal(first, log.DecisionOf("r1"));
        Assert.Single(log.Decisions());
    }

    [Fact]
    public void RecordDecision_Override_StoredAsOverrideAndTheKpisCountOnlyTheNewDecision()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("a", VerdictKind.Ok, T0), "k1")]);
        var first = log.RecordDecision(Decide("a", VerdictKind.Ng, "particle"), T0.AddMinutes(1)).Decision!;
        Assert.Equal((1L, 0L), (Kpi(log).Escapes, Kpi(log).Agreed));

        var result = log.RecordDecision(Decide("a", VerdictKind.Ok, by: "sam", role: "supervisor", @override: true), T0.AddMinutes(2));

        Assert.Equal(DecisionStatus.Stored, result.Status);
        Assert.Equal(first, result.Existing);
        Assert.True(result.Decision!.Override);
        Assert.NotEqual(first.DecisionId, result.Decision.DecisionId);
        Assert.Equal(result.Decision, log.DecisionOf("a"));
        Assert.Equal(result.Decision, log.DecisionsOf(["a", "unknown"])["a"]);
        Assert.Equal(2, log.Decisions().Count);
        var kpi = Kpi(log);
        Assert.Equal((1L, 1L, 1L, 0L), (kpi.Decisions, kpi.Compared, kpi.Agreed, kpi.Escapes));
        Assert.Equal("decision-overridden", log.AuditTrail(1)[0].Action);
    }

    [Fact]
    public void RecordDecision_Reopened_DecisionSurvivesAndIsPendingUntilMarkedPublished()
    {
        string decisionId;
        using (var log = VerdictLog.Open(DbPath))
        {
            log.Append([(Make("r1", VerdictKind.Review, T0), "k1")]);
            decisionId = log.RecordDecision(Decide("r1", VerdictKind.Ok), T0).Decision!.DecisionId;
        }

        using (var reopened = VerdictLog.Open(DbPath))
        {
            Assert.Equal(decisionId, reopened.DecisionOf("r1")!.DecisionId);
            var pending = Assert.Single(reopened.PendingDecisions(10));
            Assert.Equal(decisionId, pending.DecisionId);
            Assert.Contains("\"id\":\"r1\"", pending.Json, StringComparison.Ordinal);
            Assert.Contains("\"schema\":\"edgeagent.decision/1\"", pending.Json, StringComparison.Ordinal);
            reopened.MarkDecisionsPublished([decisionId], T0);
            Assert.Empty(reopened.PendingDecisions(10));
        }

        using var again = VerdictLog.Open(DbPath);
        Assert.Empty(again.PendingDecisions(10));
        Assert.Equal(decisionId, Assert.Single(again.Decisions()).DecisionId);
    }

    [Fact]
    public void ReviewQueue_ReviewFirstOldestFirstThenSpotChecks_DecidedOnesLeave()
    {
        using var log = OpenWithSpotChecks(DbPath, rate: 1);
        log.Append([(Make("a-ok", VerdictKind.Ok, T0), "k1")]);
        log.Append([(Make("b-review", VerdictKind.Review, T0.AddMinutes(1)), "k2")]);
        log.Append([(Make("c-ng", VerdictKind.Ng, T0.AddMinutes(2), "M1"), "k3")]);
        log.Append([(Make("d-review", VerdictKind.Review, T0.AddMinutes(3), "M1"), "k4")]);
        log.Append([(Make("e-error", VerdictKind.Error, T0.AddMinutes(4)), "k5")]);

        Assert.Equal(["b-review", "d-review", "a-ok", "c-ng"], log.ReviewQueue(10).Select(s => s.Verdict.Id));
        Assert.Equal((2, 2), log.QueueLength());
        Assert.Equal(["d-review", "c-ng"], log.ReviewQueue(10, "M1").Select(s => s.Verdict.Id));
        Assert.Equal(["b-review", "d-review"], log.ReviewQueue(2).Select(s => s.Verdict.Id));

        log.RecordDecision(Decide("b-review", VerdictKind.Ok), T0.AddMinutes(5));
        log.RecordDecision(Decide("c-ng", VerdictKind.Ng), T0.AddMinutes(5));

        Assert.Equal(["d-review", "a-ok"], log.ReviewQueue(10).Select(s => s.Verdict.Id));
        Assert.Equal((1, 1), log.QueueLength());
    }

    [Fact]
    public void ReviewQueue_NoSpotCheckRate_OnlyReviewVerdicts()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append([(Make("a", VerdictKind.Ok, T0), "k1"), (Make("b", VerdictKind.Review, T0), "k2"), (Make("c", VerdictKind.Ng, T0), "k3")]);

        Assert.Equal("b", Assert.Single(log.ReviewQueue(10)).Verdict.Id);
        Assert.Equal((1, 0), log.QueueLength());
    }

    [Fact]
    public void Kpis_OneDay_CountsEveryFigureExactlyPerProduct()
    {
        using var log = VerdictLog.Open(DbPath);
        log.Append(
        [
            (Make("ok1", VerdictKind.Ok, T0), "k1"), (Make("ok2", VerdictKind.Ok, T0), "k2"), (Make("ok3", VerdictKind.Ok, T0), "k3"),
            (Make("ng1", VerdictKind.Ng, T0), "k4"), (Make("ng2", VerdictKind.Ng, T0), "k5"),
            (Make("rv1", VerdictKind.Review, T0), "k6"), (Make("rv2", VerdictKind.Review, T0), "k7"),
            (Make("er1", VerdictKind.Error, T0), "k8"),
            (Make("m1", VerdictKind.Ok, T0, "M1"), "k9"),
            (Make("next-day", VerdictKind.Ng, T0.AddDays(1)), "k10"),
        ]);
        var later = T0.AddDays(2); // a decision counts under the day its pair was judged, not the day it was made
        log.RecordDecision(Decide("ok1", VerdictKind.Ng, "scratch"), later); // escape found
        log.RecordDecision(Decide("ok2", VerdictKind.Ok), later); // agreed
        log.RecordDecision(Decide("ng1", VerdictKind.Ok), later); // overkill confirmed
        log.RecordDecision(Decide("ng2", VerdictKind.Ng, "particle"), later); // agreed
        log.RecordDecision(Decide("rv1", VerdictKind.Ok), later);
        log.RecordDecision(Decide("rv2", VerdictKind.Ng, "stain"), later);
        log.RecordDecision(Decide("er1", VerdictKind.Ng), later); // a decision, but neither compared nor a REVIEW

        var day = T0.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var kpis = log.Kpis(KpiCalendar.Utc, day, day);

        Assert.Equal(["UBM", "M1"], kpis.Select(k => k.Product));
        Assert.Equal(new KpiDay(day, "UBM", Suspects: 8, Ok: 3, Ng: 2, Review: 2, Error: 1, Decisions: 7, Compared: 4, Agreed: 2, Escapes: 1,
            OverkillConfirmed: 1, ReviewDecided: 2, ReviewOk: 1), kpis[0]);
        Assert.Equal(new KpiDay(day, "M1", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), kpis[1]);
        Assert.Equal((5.0 / 8, 0.5, 0.5), (kpis[0].SettledShare, kpis[0].Agreement, kpis[0].ReviewOkRate));
        Assert.Null(kpis[1].Agreement);
        Assert.Equal(2, log.Kpis(KpiCalendar.Utc, day, T0.AddDays(5).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Count(k => k.Product == "UBM"));
        var localDay = TimeZoneInfo.ConvertTime(T0, TimeZoneInfo.Local).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(9, log.Kpis(KpiCalendar.Local, localDay, localDay).Sum(k => k.Suspects));
    }

    [Fact]
    public void Kpis_ReadOnlyReaderAfterReopen_SameTallies()
    {
        using (var log = VerdictLog.Open(DbPath))
        {
            log.Append([(Make("a", VerdictKind.Review, T0), "k1")]);
            log.RecordDecision(Decide("a", VerdictKind.Ok), T0);
        }

        using var reader = VerdictLog.OpenReadOnly(DbPath);

        var kpi = Assert.Single(reader.Kpis(KpiCalendar.Utc, "2026-12-07", "2026-12-07"));
        Assert.Equal((1L, 1L, 1L, 1L), (kpi.Suspects, kpi.Review, kpi.ReviewDecided, kpi.ReviewOk));
        Assert.Equal("a", Assert.Single(reader.Decisions()).Id);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static VerdictLog OpenWithSpotChecks(string path, double rate)
    {
        var log = new VerdictLog(path, new VerdictIdGenerator(TimeProvider.System)) { SpotCheckRate = rate };
        log.OpenForWriting();
        return log;
    }

    internal static DecisionRequest Decide(string id, VerdictKind decision, string? defectClass = null, string? comment = null, string by = "ana", string role = "operator", bool @override = false) =>
        new(id, decision, defectClass, comment, by, role, @override);

    /// <summary>A verdict whose non-OK outcomes carry an AI reason, as the review queue shows it.</summary>
    private static Verdict Make(string id, VerdictKind outcome, DateTimeOffset at, string product = "UBM") =>
        VerdictBuilder.Make(id, outcome, at, product, reason: outcome == VerdictKind.Ok ? null : "X");

    private static KpiDay Kpi(VerdictLog log) => log.Kpis(KpiCalendar.Utc, "2026-12-07", "2026-12-07").Single(k => k.Product == "UBM");
}
