using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Storage.Log;
using EdgeAgent.Testing;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>Threshold changes between starts land in the audit trail of a real LiteDB log, once each.</summary>
public sealed class ThresholdAuditTests : IDisposable
{
    private readonly TempFolder _temp = new("edgeagent-threshold-");
    private readonly VerdictLog _log;

    public ThresholdAuditTests() => _log = VerdictLog.Open(Path.Combine(_temp.Path, "edgeagent.db"));

    [Fact]
    public void RecordChanges_ThresholdSetChangedAndRemovedAcrossStarts_EachChangeAuditedOnceWithOldAndNew()
    {
        var changes = new[]
        {
            ThresholdAudit.RecordChanges(_log, Products(0.7), TimeProvider.System),
            ThresholdAudit.RecordChanges(_log, Products(0.7), TimeProvider.System),
            ThresholdAudit.RecordChanges(_log, Products(0.75), TimeProvider.System),
            ThresholdAudit.RecordChanges(_log, Products(null), TimeProvider.System),
        };

        Assert.Equal([1, 0, 1, 1], changes);
        var trail = _log.AuditTrail(10);
        Assert.All(trail, a => Assert.Equal((ThresholdAudit.Action, "UBM", "config"), (a.Action, a.Product, a.Actor)));
        Assert.Equal(["0.75 -> model", "0.7 -> 0.75", "model -> 0.7"], trail.Select(a => a.Detail));
    }

    public void Dispose()
    {
        _log.Dispose();
        _temp.Dispose();
    }

    private static Dictionary<string, ProductSettings> Products(double? ubm) => new()
    {
        ["UBM"] = new() { Threshold = ubm },
        ["M1"] = new(),
    };
}
