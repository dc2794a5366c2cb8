using System.Diagnostics;
using System.Globalization;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using LiteDB;

namespace EdgeAgent.Host.Cli;

/// <summary>
/// The bench's journal-durability line: what "on disk before it is published" costs per pair. The agent's path is
/// <see cref="VerdictLog.Append(IReadOnlyList{ValueTuple{Verdict, string}})"/>: one commit, then a checkpoint, whose one
/// fsync of the data file is what makes the verdict survive a power cut (LiteDB 5.0.21 never fsyncs a commit; the
/// power-cut tests prove the checkpoint enough, docs/litedb-5.0.21.md). Against it, the same documents committed
/// without the checkpoint: what the journal would cost if it trusted the page cache. One verdict per append, as
/// under light load (a burst batches several verdicts into one append and one fsync).
/// </summary>
internal static class JournalBench
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Run(string folder, int count)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var station = new StationIdentity("bench", "a", "l", "s");
        var ids = new VerdictIdGenerator(TimeProvider.System);
        double durableMs;
        using (var log = VerdictLog.Open(Path.Combine(folder, "durable.db"), ids))
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var verdict = Make(ids.Next(), i, station);
                log.Append([(verdict, "bench@" + verdict.Id)]);
            }

            durableMs = clock.Elapsed.TotalMilliseconds / count;
        }

        double commitMs;
        using (var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(folder, "commit-only.db"), Connection = ConnectionType.Direct }))
        {
            var collection = db.GetCollection("verdicts");
            collection.EnsureIndex("pairKey", unique: true);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var verdict = Make(ids.Next(), i, station);
                collection.Insert(new BsonDocument { ["_id"] = verdict.Id, ["pairKey"] = "bench@" + verdict.Id, ["json"] = System.Text.Json.JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict) });
            }

            commitMs = clock.Elapsed.TotalMilliseconds / count;
        }

        Directory.Delete(folder, recursive: true);
        return string.Create(C,
            $"journal durability {1000 / durableMs,8:F1} appends/s   {durableMs:F2} ms per pair (append = commit + checkpoint with 1 data-file fsync; {count} appends of one verdict); a bare LiteDB insert, not forced to disk: {commitMs:F2} ms");
    }

    private static Verdict Make(string id, int i, StationIdentity station) => new()
    {
        Id = id,
        Seq = 0,
        PairId = "bench-" + i.ToString(C),
        Product = "BENCH",
        Image = new SourceFile($"/aoi/BENCH/bench-{i}_image.png", null),
        Outcome = VerdictKind.Ok,
        Score = 0.1,
        TimingsMs = new Timings(0, 0, 0, 0, 0),
        Station = station,
        JudgedAt = TimeProvider.System.GetUtcNow(),
    };
}
