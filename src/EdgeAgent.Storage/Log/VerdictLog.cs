using EdgeAgent.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Security;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// The box's journal, verdict log and outbox in one LiteDB file: one document per pair, created when the
/// pair is seen (state <c>seen</c>, its verdict id fixed from then on), completed when judged (state
/// <c>judged</c>, the published JSON verbatim plus the fields supervisors filter on, indexed) and marked
/// when the broker acknowledges it. Published verdicts later move to the monthly <see cref="VerdictArchive"/>,
/// leaving a small <c>archived</c> stub so the pair is still known (and never judged again).
/// LiteDB rules followed here (re-measured on 5.0.21: docs/litedb-5.0.21.md): all writes go through one lock
/// (concurrent writers corrupted 5.0.20's file, #2825; fixed for the workload measured on 5.0.21, the lock is
/// kept for order, batching and retry); collections and indexes are created at open (#2792); every append is
/// followed by a checkpoint because a commit is written but never fsynced, and the checkpoint fsyncs.
/// The outbox side keeps two things in memory, both rebuilt from the file at open: the number of verdicts
/// waiting for the broker, and a cursor below which every verdict is published, so the pump reads the
/// <c>seq</c> index from there instead of scanning the journal (which holds minutes of verdicts).
/// </summary>
public sealed partial class VerdictLog : IPairJournal, IVerdictOutbox, IDisposable
{
    private const string Collection = "verdicts";
    private const string Seen = "seen";
    private const string Judged = "judged";
    private const string Archived = "archived";
    // Judged entries are exactly those with a sequence number (seen entries and archived stubs have none),
    // so this reads the seq index instead of filtering every document.
    private static readonly BsonExpression IsJudgedEntry = BsonExpression.Create("seq > 0");

    // Indexes of earlier versions that cost index pages on every write and helped no query of the journal
    // (a few low-cardinality fields over minutes of verdicts); dropped when found. The archive keeps its own.
    private static readonly string[] RetiredIndexes = ["outcome", "product", "state", "published"];
    private static readonly BsonExpression StubFields = BsonExpression.Create("{ _id, pairKey, judgedAt }");
    private readonly VerdictIdGenerator _ids;
    private readonly string _path;
    private Database? _database;
    private readonly Lock _writeGate = new();
    private long _outboxCursor;
    private int _pendingCount;

    /// <summary>
    /// The agent's log at <paramref name="path"/>, not open yet: the host opens it in <see cref="JournalStartup"/>'s
    /// <c>StartAsync</c> (<see cref="OpenForWriting"/>), the first thing the agent does when it starts, so no DI
    /// factory touches the database and a journal that cannot open stops the start with one message.
    /// </summary>
    public VerdictLog(string path, VerdictIdGenerator ids)
    {
        _path = path;
        _ids = ids;
        Archive = new VerdictArchive(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "archive"));
    }

    /// <summary>The monthly archive of published verdicts beside the journal.</summary>
    public VerdictArchive Archive { get; }

    /// <summary>The highest sequence number stored (0 when empty).</summary>
    public long LastSeq { get; private set; }

    private LiteDatabase Db => Opened.Db;

    private ILiteCollection<BsonDocument> Verdicts => Opened.Verdicts;

    private ILiteCollection<BsonDocument> Meta => Opened.Meta;

    private ILiteCollection<BsonDocument> AuditCollection => Opened.Audit;

    private Database Opened => _database ?? throw new InvalidOperationException($"The verdict log {_path} is not open yet: it opens when the agent starts.");

    /// <summary>Opens (or creates) the log for the agent, which is its only writer.</summary>
    public static VerdictLog Open(string path, VerdictIdGenerator? ids = null)
    {
        var log = new VerdictLog(path, ids ?? new VerdictIdGenerator(TimeProvider.System));
        log.OpenForWriting();
        return log;
    }

    /// <summary>Opens an existing log read-only, for the <c>logs</c> verb beside a running agent.</summary>
    public static VerdictLog OpenReadOnly(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No verdict log at {path}.", path);
        }

        var log = new VerdictLog(path, new VerdictIdGenerator(TimeProvider.System));
        log.Attach(new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true }), readOnly: true);
        return log;
    }

    /// <summary>Opens (or creates) the database as its only writer and finishes an archiving pass a crash interrupted.</summary>
    public void OpenForWriting()
    {
        if (_database is not null)
        {
            throw new InvalidOperationException($"The verdict log {_path} is open already.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(_path))!;
        DirectorySync.CreateFolder(folder);
        Attach(new LiteDatabase(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct }), readOnly: false);
        // LiteDB creates its files with the umask's mode; they hold every verdict and decision.
        PrivateFiles.Restrict(_path);
        PrivateFiles.Restrict(LiteDbLogOf(_path));
        try
        {
            // LiteDB fsyncs the new file's pages, never its name: the power-cut harness showed a journal created without
            // a folder fsync gone after a cut, with every verdict checkpointed into it, and the same for a data directory
            // made at start (its parent never synced). Two fsyncs per start, whoever made the folder: the package's
            // postinst and `edgeagent users add` make it too, without syncing it.
            DirectorySync.Sync(folder);
            DirectorySync.SyncParentOf(folder);
            FinishInterruptedArchiving();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    // LiteDB 5 keeps its write-ahead log beside the data file as <name>-log<ext>.
    internal static string LiteDbLogOf(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    private void Attach(LiteDatabase db, bool readOnly)
    {
        try
        {
            var verdicts = db.GetCollection(Collection);
            // Every index costs pages on each of the three writes a pair makes (seen, judged, published), so only
            // what the agent's own lookups need: the pair, the outbox order, the retention cut.
            // A reader never writes: on LiteDB 5.0.21 EnsureIndex in a read-only open went on to write the log file
            // and failed (FileNotFoundException for name-log.db, which read-only cannot create). The writer made the indexes.
            if (!readOnly)
            {
                verdicts.EnsureIndex("seq"); // not unique: seen entries have no seq yet; the single writer keeps it strictly increasing
                verdicts.EnsureIndex("judgedAt");
                verdicts.EnsureIndex("pairKey", unique: true);
                foreach (var retired in RetiredIndexes)
                {
                    verdicts.DropIndex(retired);
                }

                db.GetCollection(EventCollection).EnsureIndex("published"); // created here, before anyone reads it (#2792)
                db.GetCollection(DecisionCollection).EnsureIndex("verdictId");
                db.GetCollection(DecisionCollection).EnsureIndex("published");
                db.GetCollection(DecisionCollection).EnsureIndex("at");
                db.GetCollection(QueueCollection).EnsureIndex("spot");
            }

            _database = new Database(db, verdicts, db.GetCollection("meta"), db.GetCollection("audit", BsonAutoId.Int64), db.GetCollection(EventCollection),
                db.GetCollection(DecisionCollection), db.GetCollection(QueueCollection));
            // The journal may hold no judged verdict once everything is archived; the meta record keeps the count going.
            LastSeq = Math.Max(MaxSeq(), Meta.FindById("lastSeq")?["value"].AsInt64 ?? 0);
            CountPending();
        }
        catch
        {
            _database = null;
            db.Dispose();
            throw;
        }
    }

    /// <summary>Stores verdicts in one transaction, assigning each the next sequence number, and forces them to disk.</summary>
    public IReadOnlyList<Verdict> Append(IReadOnlyList<(Verdict Verdict, string PairKey)> items) =>
        Append([.. items.Select(i => (i.Verdict, i.PairKey, (IReadOnlyList<ModelHeatmap>?)null))]);

    /// <summary>
    /// As <see cref="Append(IReadOnlyList{ValueTuple{Verdict, string}})"/>, each verdict with its models' compact heatmaps
    /// (kept in the verdict's document, so it moves to the archive and is pruned with it).
    /// </summary>
    public IReadOnlyList<Verdict> Append(IReadOnlyList<(Verdict Verdict, string PairKey, IReadOnlyList<ModelHeatmap>? Heatmaps)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var stored = new List<Verdict>(items.Count);
        lock (_writeGate)
        {
            try
            {
                InTransaction(() =>
                {
                    var tally = new KpiTally(Meta);
                    foreach (var (verdict, pairKey, heatmap) in items)
                    {
                        var numbered = verdict with { Seq = LastSeq + 1 };
                        var doc = Verdicts.FindById(verdict.Id) ?? new BsonDocument { ["_id"] = verdict.Id, ["pairKey"] = pairKey };
                        if (doc["state"].AsString == Judged)
                        {
                            // Judged before a crash and now again: keep the first verdict, the one that may have been published.
                            stored.Add(FromDocument(doc));
                            continue;
                        }

                        Complete(doc, numbered, heatmap);
                        Enqueue(doc, numbered, tally);
                        Verdicts.Upsert(doc);
                        LastSeq = numbered.Seq;
                        stored.Add(numbered);
                        _pendingCount++;
                    }

                    tally.Save();
                    Meta.Upsert(new BsonDocument { ["_id"] = "lastSeq", ["value"] = LastSeq });
                });
            }
            catch
            {
                // The counters ran ahead of a transaction that did not happen: back to what the file says.
                LastSeq = Math.Max(MaxSeq(), Meta.FindById("lastSeq")?["value"].AsInt64 ?? 0);
                CountPending();
                throw;
            }

            Db.Checkpoint();
        }

        return stored;
    }

    /// <inheritdoc/>
    public bool IsKnown(string pairKey) => Verdicts.Exists(Expression("pairKey = @0", pairKey));

    /// <inheritdoc/>
    public VerdictKind? JudgedOutcome(string pairKey) =>
        Verdicts.FindOne(Expression("pairKey = @0", pairKey)) is { } doc && doc["state"].AsString == Judged
            ? Enum.Parse<VerdictKind>(doc["outcome"].AsString, ignoreCase: true)
            : null;

    /// <inheritdoc/>
    public IReadOnlyList<string> RecordSeen(IReadOnlyList<PairCandidate> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        try
        {
            return RecordSeenLocked(pairs);
        }
        catch (LiteException e)
        {
            throw new JournalUnavailableException($"The journal cannot record {pairs.Count} pair(s) from {pairs[0].ImagePath}: {e.Message}", e);
        }
    }

    // One transaction for the whole pass of ingest: each LiteDB commit is a disk flush (its writer queue
    // fsyncs), which cost more than everything else a pair does in the journal.
    private string[] RecordSeenLocked(IReadOnlyList<PairCandidate> pairs)
    {
        lock (_writeGate)
        {
            var ids = new string[pairs.Count];
            InTransaction(() =>
            {
                for (var i = 0; i < pairs.Count; i++)
                {
                    var existing = Verdicts.FindOne(Expression("pairKey = @0", pairs[i].Key));
                    if (existing is not null)
                    {
                        ids[i] = existing["_id"].AsString;
                        continue;
                    }

                    ids[i] = _ids.Next();
                    Verdicts.Insert(new BsonDocument
                    {
                        ["_id"] = ids[i],
                        ["pairKey"] = pairs[i].Key,
                        ["state"] = Seen,
                        ["published"] = false,
                        ["seenAt"] = pairs[i].CompletedAt.UtcDateTime,
                        ["pair"] = JsonSerializer.Serialize(pairs[i] with { VerdictId = ids[i] }, JournalJsonContext.Default.PairCandidate),
                    });
                }
            });

            // No checkpoint (a second flush): the commit survives a process crash, and a power cut that loses
            // it loses nothing anyone saw. Nothing refers to these ids before their verdicts are appended, and
            // the append's checkpoint forces these records to disk with it; without them the files are still
            // in the AOI folder and the rescan sees the pairs again, with new ids.
            return ids;
        }
    }

    /// <inheritdoc/>
    public int BeginAttempt(string verdictId)
    {
        lock (_writeGate)
        {
            var doc = Verdicts.FindById(verdictId);
            if (doc is null || doc["state"].AsString != Seen)
            {
                return 1;
            }

            // No checkpoint: LiteDB keeps a committed write through a process crash, the case this counts;
            // a checkpoint per pair would cost an fsync on the hot path.
            var attempts = (doc["attempts"].IsNumber ? doc["attempts"].AsInt32 : 0) + 1;
            doc["attempts"] = attempts;
            Verdicts.Update(doc);
            return attempts;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<PairCandidate> Unfinished() =>
        [.. Verdicts.Query().Where(Query.EQ("state", Seen)).OrderBy("seenAt").ToEnumerable()
            .Select(d => JsonSerializer.Deserialize(d["pair"].AsString, JournalJsonContext.Default.PairCandidate)! with { Resumed = true })];

    /// <inheritdoc/>
    public IReadOnlyList<OutboxItem> Pending(int max)
    {
        // The seq index from the cursor on: stored order, and only the few verdicts the broker has not seen
        // plus any marked out of order; the cursor moves past those that turn out to be published.
        var cursor = Volatile.Read(ref _outboxCursor);
        var items = new List<OutboxItem>(Math.Min(max, 64));
        var publishedUpTo = cursor;
        foreach (var doc in Verdicts.Query().Where(Expression("seq > @0", cursor)).OrderBy("seq").ToEnumerable())
        {
            if (doc["published"].AsBoolean)
            {
                publishedUpTo = items.Count == 0 ? doc["seq"].AsInt64 : publishedUpTo;
                continue;
            }

            items.Add(new OutboxItem(doc["_id"].AsString, doc["seq"].AsInt64, doc["json"].AsString));
            if (items.Count >= max)
            {
                break;
            }
        }

        AdvanceCursor(publishedUpTo);
        return items;
    }

    /// <inheritdoc/>
    public int PendingCount() => Volatile.Read(ref _pendingCount);

    /// <inheritdoc/>
    public void MarkPublished(IReadOnlyList<string> verdictIds, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(verdictIds);
        lock (_writeGate)
        {
            // One transaction, no checkpoint: a mark lost to a crash only re-sends that verdict (same id),
            // which at-least-once delivery allows.
            var marked = 0;
            try
            {
                InTransaction(() =>
                {
                    foreach (var id in verdictIds)
                    {
                        var doc = Verdicts.FindById(id);
                        if (doc is null || doc["published"].AsBoolean)
                        {
                            continue;
                        }

                        doc["published"] = true;
                        doc["publishedAt"] = at.UtcDateTime;
                        Verdicts.Update(doc);
                        marked++;
                    }
                });
            }
            catch (LiteException e)
            {
                throw new JournalUnavailableException($"The journal cannot mark {verdictIds.Count} verdict(s) published: {e.Message}", e);
            }

            _pendingCount -= marked;
        }
    }

    /// <summary>
    /// Appends to the audit trail (same file as the journal, forced to disk). Every field is clipped and its control
    /// characters escaped (<see cref="ForeignText"/>): several come from outside (an MQTT sender's name, a transfer's
    /// detail), and a row must never cost more than a few kilobytes, however large the claim.
    /// </summary>
    public void RecordAudit(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_writeGate)
        {
            AuditCollection.Insert(AuditDocument(entry));
            Db.Checkpoint();
        }
    }

    // An audit row as stored, every field clipped (see RecordAudit).
    private static BsonDocument AuditDocument(AuditEntry entry) => new()
    {
        ["at"] = entry.At.UtcDateTime,
        ["action"] = ForeignText.Clip(entry.Action),
        ["actor"] = ForeignText.Clip(entry.Actor),
        ["model"] = ForeignText.Clip(entry.Model),
        ["version"] = ForeignText.Clip(entry.Version),
        ["sha256"] = ForeignText.Clip(entry.Sha256),
        ["detail"] = ForeignText.Clip(entry.Detail, AuditEntry.MaxDetailChars),
        ["product"] = ForeignText.Clip(entry.Product),
    };

    /// <summary>
    /// The newest <paramref name="limit"/> audit entries, newest first: those numbered below <paramref name="before"/>
    /// when given (paging), of action <paramref name="action"/> when given. Fields are clipped on the way out too, for
    /// rows an earlier version stored whole.
    /// </summary>
    public IReadOnlyList<AuditEntry> AuditTrail(int limit, long? before = null, string? action = null) => Guard("read the audit trail", () =>
    {
        var query = AuditCollection.Query();
        if (before is { } below)
        {
            query = query.Where(Query.LT("_id", below));
        }

        if (action is not null)
        {
            query = query.Where(Query.EQ("action", action));
        }

        return (IReadOnlyList<AuditEntry>)[.. query.OrderByDescending("_id").Limit(limit).ToEnumerable().Select(AuditOf)];
    });

    /// <summary>
    /// Deletes audit rows recorded before <paramref name="olderThan"/>, then the oldest while more than
    /// <paramref name="maxRows"/> remain. The newest threshold change of each product stays whatever its age: it is
    /// the value the next start compares with. Returns how many went.
    /// </summary>
    public int PruneAudit(DateTimeOffset olderThan, int maxRows)
    {
        lock (_writeGate)
        {
            var keep = AuditCollection.Find(Query.EQ("action", AuditEntry.ThresholdChanged)).GroupBy(d => d["product"].IsNull ? "" : d["product"].AsString)
                .Select(g => g.Max(d => d["_id"].AsInt64)).ToHashSet();
            var count = AuditCollection.Count();
            // Rows are numbered in the order written, so the oldest by time are the lowest ids: the age cut and the
            // count cut are one id below which everything goes.
            var byAge = AuditCollection.Query().Where(Query.LT("at", olderThan.UtcDateTime)).Select("_id").ToEnumerable()
                .Select(d => d["_id"].AsInt64).DefaultIfEmpty(0).Max();
            var byCount = count > maxRows
                ? AuditCollection.Query().OrderBy("_id").Select("_id").Offset(count - maxRows - 1).Limit(1).ToEnumerable().Select(d => d["_id"].AsInt64).First()
                : 0;
            var upTo = Math.Max(byAge, byCount);
            if (upTo == 0)
            {
                return 0;
            }

            var deleted = 0;
            InTransaction(() =>
            {
                foreach (var id in AuditCollection.Query().Where(Query.LTE("_id", upTo)).Select("_id").ToEnumerable().Select(d => d["_id"].AsInt64).ToList())
                {
                    if (!keep.Contains(id) && AuditCollection.Delete(id))
                    {
                        deleted++;
                    }
                }
            });
            Db.Checkpoint();
            return deleted;
        }
    }

    private static AuditEntry AuditOf(BsonDocument d) => new(
        new DateTimeOffset(d["at"].AsDateTime, TimeSpan.Zero), Text(d["action"])!, Text(d["actor"])!, Text(d["model"]), Text(d["version"]),
        Text(d["sha256"]), ForeignText.Clip(d["detail"].AsString, AuditEntry.MaxDetailChars), Text(d["product"]))
    {
        Id = d["_id"].AsInt64,
    };

    private static string? Text(BsonValue value) => value.IsNull ? null : ForeignText.Clip(value.AsString);

    /// <summary>Newest first, filtered as asked.</summary>
    public IReadOnlyList<Verdict> Find(VerdictQuery query) => Guard("read verdicts", () => FindDocuments(query).Select(FromDocument).ToList());

    // The newest matches of the journal and of the archive together: a full page from the journal proves nothing,
    // since old unpublished verdicts stay there while newer published ones may already be archived.
    private List<BsonDocument> FindDocuments(VerdictQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var recent = VerdictScan.Newest(Verdicts, query, query.Limit, timeIndexed: false);
        var archived = Archive.Find(query, query.Limit);
        return [.. recent.Concat(archived).DistinctBy(d => d["_id"].AsString)
            .OrderByDescending(d => d["seq"].AsInt64).Take(query.Limit)];
    }

    /// <summary>Number of stored verdicts, journal and archive.</summary>
    public int Count() => Guard("count verdicts", () => Verdicts.Count(IsJudgedEntry) + Archive.Count());

    /// <summary>Bytes on disk: the journal file and the archive.</summary>
    public long Bytes() => new FileInfo(_path).Length + Archive.Bytes();

    /// <summary>
    /// Moves published verdicts judged before <paramref name="judgedBefore"/> into the monthly archive
    /// (written and forced to disk first), leaving a stub that keeps the pair known. Unpublished verdicts
    /// never move. Returns how many moved.
    /// </summary>
    public int ArchivePublished(DateTimeOffset judgedBefore, int max = 1000)
    {
        lock (_writeGate)
        {
            // Undecided REVIEW verdicts are held (see ReleaseHeld): an archived verdict can no longer be decided.
            var documents = Verdicts.Find(Expression("judgedAt < @0 AND state = @1 AND published = true AND held != true", judgedBefore.UtcDateTime, Judged), limit: max).ToList();
            if (documents.Count == 0)
            {
                return 0;
            }

            Archive.Write(documents);
            ReplaceWithStubs(documents);
            return documents.Count;
        }
    }

    /// <summary>
    /// Forgets the stubs of archived pairs whose image a rescan can no longer find (moved, deleted or
    /// rewritten), so the journal follows the watched folders' content instead of growing with every pair
    /// ever judged. A stub whose folder is missing or unreadable is kept (the share may come back, and its
    /// files must not be judged twice) until it is older than <paramref name="judgedBefore"/>.
    /// </summary>
    public int ForgetArchived(DateTimeOffset judgedBefore)
    {
        var cutoff = judgedBefore.UtcDateTime;
        var forget = Verdicts.Query().Where(Query.EQ("state", Archived)).Select(StubFields).ToEnumerable()
            .Where(stub => PairKey.Probe(stub["pairKey"].AsString) switch
            {
                PairImagePresence.Gone => true,
                PairImagePresence.Unknown => stub["judgedAt"].AsDateTime < cutoff,
                _ => false,
            })
            .Select(stub => stub["_id"])
            .ToList();
        int removed = 0;
        foreach (var chunk in forget.Chunk(1000))
        {
            lock (_writeGate)
            {
                removed += Verdicts.DeleteMany(Expression("_id IN @0", new BsonArray(chunk)));
                Db.Checkpoint();
            }
        }

        return removed;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _database?.Db.Dispose();
        _database = null;
    }

    /// <summary>
    /// A crash between writing an archive batch and stubbing it leaves those verdicts in both places
    /// (harmless: the archive write is an upsert) until the next pass; finishing the stubbing at start keeps
    /// <see cref="Count"/> and <see cref="Find"/> exact from the first moment.
    /// </summary>
    private void FinishInterruptedArchiving()
    {
        var published = Verdicts.Find(Query.And(IsJudgedEntry, "published = true")).ToList();
        var alreadyArchived = Archive.Containing(published);
        if (alreadyArchived.Count > 0)
        {
            ReplaceWithStubs(alreadyArchived);
        }
    }

    /// <summary>One transaction, forced to disk: a crash leaves either all or none of the batch stubbed.</summary>
    private void ReplaceWithStubs(IReadOnlyList<BsonDocument> archived)
    {
        InTransaction(() =>
        {
            foreach (var document in archived)
            {
                Verdicts.Update(new BsonDocument
                {
                    ["_id"] = document["_id"],
                    ["pairKey"] = document["pairKey"],
                    ["state"] = Archived,
                    ["published"] = true,
                    ["judgedAt"] = document["judgedAt"],
                });
                Queue.Delete(document["_id"]);
            }
        });

        Db.Checkpoint();
    }

    // All or nothing; the caller holds the write gate (LiteDB's explicit transactions belong to one thread).
    private void InTransaction(Action write)
    {
        Db.BeginTrans();
        try
        {
            write();
            Db.Commit();
        }
        catch (Exception e)
        {
            Db.Rollback();
            if (e is LiteException lite)
            {
                throw new JournalUnavailableException($"The journal cannot write: {lite.Message}", lite);
            }

            throw;
        }
    }

    // Reads that the dashboard, the logs verb and retention make: LiteDB's errors leave Storage as its own type.
    private static T Guard<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (LiteException e)
        {
            throw new JournalUnavailableException($"The journal cannot {what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// A query with its values as parameters. LiteDB's <c>Query.EQ</c> and friends print the value into the
    /// expression text, and LiteDB caches every parsed (and compiled) expression text forever: one new text
    /// per pair key or id made the agent's memory grow without bound (found by the soak benchmark).
    /// Parameterised texts are a handful of cache entries for the life of the process.
    /// </summary>
    private static BsonExpression Expression(string text, params BsonValue[] values) => BsonExpression.Create(text, values);

    // At open and after a failed append: what the file says, counted once.
    private void CountPending()
    {
        var waiting = Verdicts.Query().Where(Query.And(IsJudgedEntry, "published = false")).Select("{ seq }").ToEnumerable()
            .Select(d => d["seq"].AsInt64).ToList();
        Volatile.Write(ref _pendingCount, waiting.Count);
        Volatile.Write(ref _outboxCursor, waiting.Count == 0 ? LastSeq : waiting.Min() - 1);
    }

    private void AdvanceCursor(long publishedUpTo)
    {
        var current = Volatile.Read(ref _outboxCursor);
        while (publishedUpTo > current)
        {
            var seen = Interlocked.CompareExchange(ref _outboxCursor, publishedUpTo, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private long MaxSeq() => Verdicts.Count(IsJudgedEntry) == 0 ? 0 : Verdicts.Max(x => x["seq"]).AsInt64;

    private static Verdict FromDocument(BsonDocument doc) => JsonSerializer.Deserialize(doc["json"].AsString, VerdictJsonContext.Default.Verdict)!;

    private static void Complete(BsonDocument doc, Verdict verdict, IReadOnlyList<ModelHeatmap>? heatmaps)
    {
        StoreHeatmaps(doc, heatmaps);
        if (ShadowLabels.Of(verdict) is { } shadow)
        {
            doc["shadow"] = shadow;
        }

        doc["state"] = Judged;
        doc["seq"] = verdict.Seq;
        doc["judgedAt"] = verdict.JudgedAt.UtcDateTime;
        doc["outcome"] = VerdictCsv.Label(verdict.Outcome);
        doc["product"] = verdict.Product;
        doc["score"] = verdict.Score is { } s ? new BsonValue(s) : BsonValue.Null;
        doc["published"] = false;
        doc["json"] = JsonSerializer.Serialize(verdict, VerdictJsonContext.Default.Verdict);
    }

    private sealed record Database(LiteDatabase Db, ILiteCollection<BsonDocument> Verdicts, ILiteCollection<BsonDocument> Meta, ILiteCollection<BsonDocument> Audit,
        ILiteCollection<BsonDocument> Events, ILiteCollection<BsonDocument> Decisions, ILiteCollection<BsonDocument> Queue);
}
