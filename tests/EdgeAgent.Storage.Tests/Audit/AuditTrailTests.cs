using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;

namespace EdgeAgent.Storage.Tests.Audit;

/// <summary>
/// The audit trail on a real LiteDB file against what anonymous MQTT commands can send it (issue 17, hole 2):
/// rows stay small, the trail is pruned under <c>Retention</c>, and it is read in pages.
/// </summary>
public sealed class AuditTrailTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-audit-").FullName;

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void RecordAudit_TenMegabyteClaimsFiveTimes_StoredClippedAndTheFileBarelyGrows()
    {
        using var log = VerdictLog.Open(DbPath);
        log.RecordAudit(Row(Now, "first"));
        var before = new FileInfo(DbPath).Length;
        var huge = new string('x', 10 * 1024 * 1024);

        for (var i = 0; i < 5; i++)
        {
            log.RecordAudit(new AuditEntry(Now, "rolled-back", huge + "\n\u001b[31m", "model-" + huge, huge, null, huge, huge));
        }

        Assert.True(new FileInfo(DbPath).Length - before < 256 * 1024, $"the file grew by {new FileInfo(DbPath).Length - before} bytes");
        var row = log.AuditTrail(1).Single();
        Assert.True(row.Actor.Length <= 240, $"actor of {row.Actor.Length} chars");
        Assert.EndsWith("chars)", row.Actor, StringComparison.Ordinal);
        Assert.True(row.Detail.Length <= AuditEntry.MaxDetailChars + 40);
        Assert.True(row.Product!.Length <= 240);
    }

    [Fact]
    public void AuditTrail_Before_PagesNewestFirstWithoutOverlap()
    {
        using var log = VerdictLog.Open(DbPath);
        for (var i = 0; i < 25; i++)
        {
            log.RecordAudit(Row(Now.AddSeconds(i), $"row {i}"));
        }

        var first = log.AuditTrail(10);
        var second = log.AuditTrail(10, before: first[^1].Id);
        var last = log.AuditTrail(10, before: second[^1].Id);

        Assert.Equal(["row 24", "row 15"], new[] { first[0].Detail, first[^1].Detail });
        Assert.Equal(["row 14", "row 5"], new[] { second[0].Detail, second[^1].Detail });
        Assert.Equal(5, last.Count);
        Assert.Equal(25, first.Concat(second).Concat(last).Select(a => a.Id).Distinct().Count());
    }

    [Fact]
    public void RetentionApply_AuditOlderThanDaysAndOverMaxRows_PrunedButTheNewestThresholdPerProductKept()
    {
        using var log = VerdictLog.Open(DbPath);
        log.RecordAudit(new AuditEntry(Now.AddDays(-400), AuditEntry.ThresholdChanged, "config", "m", null, null, "model -> 0.4", "UBM"));
        log.RecordAudit(new AuditEntry(Now.AddDays(-300), AuditEntry.ThresholdChanged, "config", "m", null, null, "0.4 -> 0.5", "UBM"));
        for (var i = 0; i < 50; i++)
        {
            log.RecordAudit(Row(Now.AddDays(-200), $"old {i}"));
        }

        for (var i = 0; i < 250; i++)
        {
            log.RecordAudit(Row(Now.AddMinutes(i - 250), $"recent {i}"));
        }

        var result = RetentionPolicy.Apply(log, new RetentionOptions { Days = 90, MaxAuditRows = 100, MaxBytes = long.MaxValue }, Now);

        var left = log.AuditTrail(1000);
        Assert.Equal(201, result.AuditPruned);
        Assert.Equal(101, left.Count);
        Assert.Equal("recent 249", left[0].Detail);
        Assert.DoesNotContain(left, a => a.Detail.StartsWith("old", StringComparison.Ordinal));
        Assert.Equal("0.4 -> 0.5", Assert.Single(log.AuditTrail(10, action: AuditEntry.ThresholdChanged)).Detail);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AuditEntry Row(DateTimeOffset at, string detail) => new(at, "rejected", "transfer t", null, null, null, detail);
}
