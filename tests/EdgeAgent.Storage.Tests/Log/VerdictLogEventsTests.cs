using EdgeAgent.Drift;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Tests.Log;

/// <summary>The event outbox and the drift charts in the real journal file: durable across reopen, readable read-only.</summary>
public sealed class VerdictLogEventsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-events-").FullName;

    private string DbPath => Path.Combine(_dir, "edgeagent.db");

    [Fact]
    public void AppendDrift_ThenReopen_EventsPendingOldestFirstAndChartsResumed()
    {
        var chart = new ProductDrift("UBM", new ModelRef("stpm", "1.0.0", "cc", "CPU"), [new EwmaChart("brightness", 500, 1.0, 12.5, 0.9, 40, Alarm: true, T0)], T0);
        using (var log = VerdictLog.Open(DbPath))
        {
            log.AppendDrift([Event("01KB0000000000000000000002"), Event("01KB0000000000000000000001")], [chart]);
        }

        using var reopened = VerdictLog.Open(DbPath);

        Assert.Equal(["01KB0000000000000000000001", "01KB0000000000000000000002"], reopened.PendingEvents(10).Select(e => e.Id));
        var resumed = Assert.Single(reopened.DriftCharts());
        Assert.Equal(("UBM", "cc"), (resumed.Product, resumed.Model!.Sha256));
        Assert.Equal(chart.Charts[0], resumed.Charts[0]);
    }

    [Fact]
    public void MarkEventsPublished_OneOfTwo_OnlyTheOtherStaysPendingAndBothAreInTheHistory()
    {
        using var log = VerdictLog.Open(DbPath);
        log.AppendDrift([Event("01KB0000000000000000000001"), Event("01KB0000000000000000000002")], []);

        log.MarkEventsPublished(["01KB0000000000000000000001"], T0);

        Assert.Equal("01KB0000000000000000000002", Assert.Single(log.PendingEvents(10)).Id);
        Assert.Equal(["01KB0000000000000000000002", "01KB0000000000000000000001"], log.RecentEvents(10).Select(e => e.Id));
    }

    [Fact]
    public void OpenReadOnly_LogWithCharts_ReadsThemAsDoctorDoes()
    {
        using (var writer = VerdictLog.Open(DbPath))
        {
            writer.AppendDrift([], [new ProductDrift("M1", null, [EwmaChart.Empty("score")], T0)]);
        }

        using var reader = VerdictLog.OpenReadOnly(DbPath);

        Assert.Equal("M1", Assert.Single(reader.DriftCharts()).Product);
        Assert.Empty(reader.PendingEvents(10));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DriftEvent Event(string id) => new()
    {
        Id = id, Product = "UBM", Series = "brightness", Value = 0.92, Limit = 0.93, Reference = 1.0, Sigma = 0.1, Pairs = 700, At = T0,
        Station = new StationIdentity("s", "a", "l", "st"),
    };
}
