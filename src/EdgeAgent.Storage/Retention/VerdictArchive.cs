using System.Globalization;
using EdgeAgent.Hosting;
using EdgeAgent.Storage.Log;
using LiteDB;

namespace EdgeAgent.Storage.Retention;

/// <summary>
/// Published verdicts by month, one LiteDB file per month (<c>archive/verdicts-YYYY-MM.db</c>). Deleting
/// documents never shrinks a LiteDB file, so retention deletes whole month files instead, and the
/// journal stays small because it only holds what is recent or not yet published.
/// </summary>
public sealed class VerdictArchive(string folder)
{
    private const string Collection = "verdicts";

    /// <summary>The archive folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>Month files, oldest first.</summary>
    public IReadOnlyList<(DateOnly Month, string Path)> Months() =>
        !Directory.Exists(Folder) ? [] :
        [.. Directory.EnumerateFiles(Folder, "verdicts-*.db")
            .Select(p => (Month: ParseMonth(p), Path: p))
            .Where(m => m.Month is not null)
            .Select(m => (m.Month!.Value, m.Path))
            .OrderBy(m => m.Item1)];

    /// <summary>Writes documents into their months' files (upsert by id, so a crash half-way is repeated safely) and forces them to disk.</summary>
    public void Write(IReadOnlyList<BsonDocument> documents)
    {
        DirectorySync.CreateFolder(Folder);

        foreach (var month in documents.GroupBy(d => MonthOf(d["judgedAt"].AsDateTime)))
        {
            WriteMonth(PathOf(month.Key), month);
        }

        // The checkpoints fsynced the files' pages, not a new month file's name: without this a power cut can take the
        // whole month file (verdicts the journal replaces by stubs next) with it. Every pass, not only when a file is
        // new: a crash between a file's creation and this sync would leave its name unsynced for later passes.
        DirectorySync.Sync(Folder);
    }

    private static void WriteMonth(string path, IEnumerable<BsonDocument> month)
    {
        using var db = Open(path, readOnly: false);
        PrivateFiles.Restrict(path);
        var collection = db.GetCollection(Collection);
        collection.EnsureIndex("seq");
        collection.EnsureIndex("judgedAt");
        collection.EnsureIndex("outcome");
        collection.EnsureIndex("product");
        // One transaction for the batch: LiteDB 5.0.20 forced every page of every commit to disk on its own,
        // so a commit per document made a pass of 1,000 verdicts hold the journal's write gate for ~10 s.
        // 5.0.21 no longer fsyncs commits (docs/litedb-5.0.21.md), but one commit still writes fewer pages.
        db.BeginTrans();
        foreach (var document in month)
        {
            collection.Upsert(document);
        }

        db.Commit();
        db.Checkpoint();
    }

    /// <summary>Those of <paramref name="documents"/> already in their month's file.</summary>
    public IReadOnlyList<BsonDocument> Containing(IReadOnlyList<BsonDocument> documents)
    {
        var found = new List<BsonDocument>();
        foreach (var month in documents.GroupBy(d => MonthOf(d["judgedAt"].AsDateTime)).Where(m => File.Exists(PathOf(m.Key))))
        {
            using var db = Open(PathOf(month.Key), readOnly: true);
            var collection = db.GetCollection(Collection);
            found.AddRange(month.Where(d => collection.FindById(d["_id"]) is not null));
        }

        return found;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> newest documents matching <paramref name="query"/>, newest months first; months
    /// wholly outside its time range are not opened.
    /// </summary>
    public IReadOnlyList<BsonDocument> Find(VerdictQuery query, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = new List<BsonDocument>();
        // A day's margin covers the scan's slack between judgement order and judgement time.
        var first = query.Since is { } since ? MonthOf(since.UtcDateTime.AddDays(-1)) : DateOnly.MinValue;
        var last = query.Until is { } until ? MonthOf(until.UtcDateTime.AddDays(1)) : DateOnly.MaxValue;
        foreach (var (_, path) in Months().Reverse().Where(m => m.Month >= first && m.Month <= last))
        {
            using var db = Open(path, readOnly: true);
            found.AddRange(VerdictScan.Newest(db.GetCollection(Collection), query, limit - found.Count, timeIndexed: true));
            if (found.Count >= limit)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>
    /// The archived document with id <paramref name="id"/>, looked up in the month of <paramref name="judgedAround"/>
    /// and the month after (a pair seen just before midnight at a month's end is judged in the next); null if absent.
    /// </summary>
    public BsonDocument? FindById(string id, DateTime judgedAround)
    {
        var month = MonthOf(judgedAround);
        foreach (var path in new[] { PathOf(month), PathOf(month.AddMonths(1)) }.Where(File.Exists))
        {
            using var db = Open(path, readOnly: true);
            if (db.GetCollection(Collection).FindById(id) is { } document)
            {
                return document;
            }
        }

        return null;
    }

    /// <summary>Number of archived verdicts.</summary>
    public int Count() => Months().Sum(m =>
    {
        using var db = Open(m.Path, readOnly: true);
        return db.GetCollection(Collection).Count();
    });

    /// <summary>Bytes on disk.</summary>
    public long Bytes() => Months().Sum(m => new FileInfo(m.Path).Length);

    /// <summary>Deletes a month file (and its LiteDB log, if one was left by a crash).</summary>
    public void Delete(string path)
    {
        File.Delete(path);
        File.Delete(VerdictLog.LiteDbLogOf(path));
    }

    private static LiteDatabase Open(string path, bool readOnly) =>
        new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = readOnly });

    private static DateOnly MonthOf(DateTime utc) => new(utc.Year, utc.Month, 1);

    private string PathOf(DateOnly month) => System.IO.Path.Combine(Folder, $"verdicts-{month:yyyy-MM}.db");

    private static DateOnly? ParseMonth(string path) =>
        DateOnly.TryParseExact(System.IO.Path.GetFileNameWithoutExtension(path)["verdicts-".Length..] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            ? month
            : null;
}
