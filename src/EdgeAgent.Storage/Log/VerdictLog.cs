using JsonSerializer = System.Text.Json.JsonSerializer;
using EdgeAgent.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Verdicts;
using LiteDB;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// The box's verdict log and outbox in one LiteDB file. Each record holds the published JSON verbatim
/// plus the fields supervisors filter on, indexed.
/// LiteDB 5.0.20 rules followed here: all writes go through one lock (concurrent writers can corrupt the
/// file, #2825); collections and indexes are created at open (#2792); every append is followed by a
/// checkpoint because a commit alone is not on disk yet.
/// </summary>
public sealed class VerdictLog : IJudgedPairs, IVerdictOutbox, IDisposable
{
    private const string Collection = "verdicts";
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _verdicts;
    private readonly Lock _writeGate = new();

    private VerdictLog(LiteDatabase db)
    {
        _db = db;
        _verdicts = db.GetCollection(Collection);
        _verdicts.EnsureIndex("seq", unique: true);
        _verdicts.EnsureIndex("judgedAt");
        _verdicts.EnsureIndex("outcome");
        _verdicts.EnsureIndex("product");
        _verdicts.EnsureIndex("pairKey");
        _verdicts.EnsureIndex("published");
        LastSeq = MaxSeq();
    }

    /// <summary>The highest sequence number stored (0 when empty).</summary>
    public long LastSeq { get; private set; }

    /// <summary>Opens (or creates) the log for the agent, which is its only writer.</summary>
    public static VerdictLog Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new VerdictLog(new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }));
    }

    /// <summary>Opens an existing log read-only, for the <c>logs</c> verb beside a running agent.</summary>
    public static VerdictLog OpenReadOnly(string path) =>
        File.Exists(path)
            ? new VerdictLog(new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true }))
            : throw new FileNotFoundException($"No verdict log at {path}.", path);

    /// <summary>Stores verdicts in one transaction, assigning each the next sequence number, and forces them to disk.</summary>
    public IReadOnlyList<Verdict> Append(IReadOnlyList<(Verdict Verdict, string PairKey)> items)
    {
        var stored = new List<Verdict>(items.Count);
        lock (_writeGate)
        {
            _db.BeginTrans();
            try
            {
                foreach (var (verdict, pairKey) in items)
                {
                    var numbered = verdict with { Seq = LastSeq + 1 };
                    _verdicts.Insert(ToDocument(numbered, pairKey));
                    LastSeq = numbered.Seq;
                    stored.Add(numbered);
                }

                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                LastSeq = MaxSeq();
                throw;
            }

            _db.Checkpoint();
        }

        return stored;
    }

    /// <inheritdoc/>
    public bool IsJudged(string pairKey) => _verdicts.Exists(Query.EQ("pairKey", pairKey));

    /// <inheritdoc/>
    public IReadOnlyList<OutboxItem> Pending(int max) =>
        [.. _verdicts.Query().Where(Query.EQ("published", false)).OrderBy("seq").Limit(max).ToEnumerable()
            .Select(d => new OutboxItem(d["_id"].AsString, d["seq"].AsInt64, d["json"].AsString))];

    /// <inheritdoc/>
    public int PendingCount() => _verdicts.Count(Query.EQ("published", false));

    /// <inheritdoc/>
    public void MarkPublished(string verdictId, DateTimeOffset at)
    {
        lock (_writeGate)
        {
            var doc = _verdicts.FindById(verdictId);
            if (doc is null || doc["published"].AsBoolean)
            {
                return;
            }

            doc["published"] = true;
            doc["publishedAt"] = at.UtcDateTime;
            _verdicts.Update(doc);
        }
    }

    /// <summary>Newest first, filtered as asked.</summary>
    public IReadOnlyList<Verdict> Find(VerdictQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filters = new List<BsonExpression>();
        if (query.Since is { } since)
        {
            filters.Add(Query.GTE("judgedAt", since.UtcDateTime));
        }

        if (query.Until is { } until)
        {
            filters.Add(Query.LT("judgedAt", until.UtcDateTime));
        }

        if (query.Outcome is { } outcome)
        {
            filters.Add(Query.EQ("outcome", outcome.ToString().ToUpperInvariant()));
        }

        if (query.Product is { } product)
        {
            filters.Add(Query.EQ("product", product));
        }

        var q = _verdicts.Query();
        foreach (var filter in filters)
        {
            q = q.Where(filter);
        }

        return [.. q.OrderByDescending("seq").Limit(query.Limit).ToEnumerable()
            .Select(d => JsonSerializer.Deserialize(d["json"].AsString, VerdictJsonContext.Default.Verdict)!)];
    }

    /// <summary>Number of stored verdicts.</summary>
    public int Count() => _verdicts.Count();

    /// <inheritdoc/>
    public void Dispose() => _db.Dispose();

    private long MaxSeq() => _verdicts.Count() == 0 ? 0 : _verdicts.Max(x => x["seq"]).AsInt64;

    private static BsonDocument ToDocument(Verdict verdict, string pairKey) => new()
    {
        ["_id"] = verdict.Id,
        ["seq"] = verdict.Seq,
        ["judgedAt"] = verdict.JudgedAt.UtcDateTime,
        ["outcome"] = verdict.Outcome.ToString().ToUpperInvariant(),
        ["product"] = verdict.Product,
        ["pairKey"] = pairKey,
        ["score"] = verdict.Score is { } s ? new BsonValue(s) : BsonValue.Null,
        ["published"] = false,
        ["json"] = JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict),
    };
}
