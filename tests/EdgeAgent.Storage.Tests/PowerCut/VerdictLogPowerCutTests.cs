using System.Globalization;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Testing.PowerCut;
using EdgeAgent.Verdicts;
using LiteDB;
using Xunit.Abstractions;

namespace EdgeAgent.Storage.Tests.PowerCut;

/// <summary>
/// The journal's promise, "an appended verdict is on disk before it is published", under a power cut: the file
/// system drops every write nobody fsync'ed (and, in directory mode, every name change whose folder nobody
/// fsync'ed). After each cut the file opens and every verdict <see cref="VerdictLog.Append(IReadOnlyList{ValueTuple{Verdict, string}})"/>
/// returned for is there with its id, and so is every audit row. The layer counts the fsyncs per append (docs/litedb-5.0.21.md quotes them).
/// </summary>
[Trait("Category", "Integration")]
public sealed class VerdictLogPowerCutTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 8;
    private const int AppendsPerRound = 25;
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _temp = new("edgeagent-powercut-");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Append_PowerCutAfterAnyAppend_EveryAppendedVerdictSurvivesAndTheFileOpens(bool dropDirectoryOperations)
    {
        using var fs = PowerCutFileSystem.Mount(_temp.Path, dropDirectoryOperations);
        var path = Path.Combine(fs.MountPoint, "data", "edgeagent.db");
        var appended = new List<string>();
        var perAppend = FsyncCounters.Empty;
        for (int round = 0; round < Rounds; round++)
        {
            var check = VerdictLog.Open(path);
            Assert.Equal(appended.Count, check.Count());
            Assert.Equal(round, check.AuditTrail(100).Count);
            fs.Cut(); // a cut right after open, before any append: the counters below are the appends' alone
            Abandon(check);
            var before = fs.Counters;
            var log = VerdictLog.Open(path);
            for (int i = 0; i < AppendsPerRound; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{round:D2}{i:D24}");
                log.Append([(VerdictBuilder.Make(id, at: T0), "key-" + id)]);
                appended.Add(id);
                if (i % 2 == 0)
                {
                    log.MarkPublished([id], T0); // not forced: a cut may lose the mark, never the verdict
                }
            }

            log.RecordAudit(new AuditEntry(T0, "activate", "test", "m", "1.0." + round.ToString(CultureInfo.InvariantCulture), "", "", null));
            fs.Cut();
            perAppend = perAppend.Add(fs.Counters.Since(before));
            Abandon(log);
        }

        using (var reopened = VerdictLog.Open(path))
        {
            var found = reopened.Find(new VerdictQuery(Limit: 10_000)).Select(v => v.Id).ToHashSet();
            Assert.Equal(appended.Count, reopened.Count());
            Assert.All(appended, id => Assert.Contains(id, found));
        }

        var appends = Rounds * AppendsPerRound;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per append (+ mark every other): data file fsyncs {perAppend.SyncsOf("/data/edgeagent.db") / (double)appends:F2}, log file fsyncs {perAppend.SyncsOf("/data/edgeagent-log.db") / (double)appends:F2}, " +
            $"folder fsyncs {perAppend.FsyncDir.Values.Sum() / (double)appends:F2}, writes {perAppend.Writes.Values.Sum() / (double)appends:F1}, KiB {perAppend.BytesWritten / 1024.0 / appends:F1}"));
    }

    public void Dispose() => _temp.Dispose();

    // The box lost power with the log open: its handles are dead (ENOTCONN), closing them may fail.
    private static void Abandon(VerdictLog log)
    {
        try
        {
            log.Dispose();
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // expected: the disk is gone
        }
    }
}
