using EdgeAgent.Decisions;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Verdicts;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// Operators' decisions, the review queue and the KPI tallies, in the journal's file and under its single writer.
/// <list type="bullet">
/// <item>A decision is one document in <c>decisions</c> (its published JSON verbatim), written in one transaction with
/// its audit row, the verdict's <c>decided</c> mark and the tallies, then forced to disk before it is published.
/// Decisions are few and small; they stay for good, like the audit trail.</item>
/// <item>The queue (<c>queue</c>) holds the REVIEW verdicts and the spot-check picks still waiting for a person. An
/// undecided REVIEW verdict is <c>held</c>: retention does not archive it (an archived verdict can no longer be decided)
/// until <see cref="ReviewOptions.HoldFor"/> passes. Spot-check picks are not held: they leave the queue when archived.</item>
/// <item>The tallies are one <c>meta</c> record per day (<c>kpi:utc:…</c>, <c>kpi:local:…</c>), counted as verdicts
/// and decisions are stored, so they stay exact after the verdicts move to the archive or are pruned.</item>
/// </list>
/// </summary>
public sealed partial class VerdictLog : IDecisionOutbox
{
    private const string DecisionCollection = "decisions";
    private const string QueueCollection = "queue";
    private const string KpiPrefix = "kpi:";

    private ILiteCollection<BsonDocument> DecisionsCollection => Opened.Decisions;

    private ILiteCollection<BsonDocument> Queue => Opened.Queue;

    /// <summary>Share of OK/NG verdicts put in the review queue for spot checks (<see cref="ReviewOptions.SpotCheckRate"/>).</summary>
    public double SpotCheckRate { get; init; }

    /// <summary>
    /// Stores a person's decision about a judged verdict still in the journal, with its audit row and the KPI tallies,
    /// forced to disk. Refuses an unknown or archived verdict, and a second decision unless it is an override.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal cannot write now (e.g. a full disk); nothing was stored.</exception>
    public DecisionResult RecordDecision(DecisionRequest request, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_writeGate)
        {
            var doc = Verdicts.FindById(request.VerdictId);
            if (doc is null || doc["state"].AsString != Judged)
            {
                var archived = doc?["state"].AsString == Archived || (doc is null && GetUnguarded(request.VerdictId) is not null);
                return new DecisionResult(archived ? DecisionStatus.Archived : DecisionStatus.UnknownVerdict, null, null);
            }

            var existing = LatestDecisionOf(request.VerdictId);
            if (existing is not null && !request.Override)
            {
                return new DecisionResult(DecisionStatus.AlreadyDecided, null, existing);
            }

            var verdict = FromDocument(doc);
            var decision = new OperatorDecision
            {
                Id = verdict.Id,
                DecisionId = _ids.Next(),
                PairId = verdict.PairId,
                Product = verdict.Product,
                AiVerdict = verdict.Outcome,
                AiReason = verdict.Reason,
                AiScore = verdict.Score,
                Decision = request.Decision,
                DefectClass = request.DefectClass,
                Comment = request.Comment,
                By = request.By,
                Role = request.Role,
                At = at,
                JudgedAt = verdict.JudgedAt,
                Override = existing is not null,
                Station = verdict.Station,
            };
            InTransaction(() =>
            {
                DecisionsCollection.Insert(new BsonDocument
                {
                    ["_id"] = decision.DecisionId,
                    ["verdictId"] = decision.Id,
                    ["product"] = decision.Product,
                    ["at"] = at.UtcDateTime,
                    ["published"] = false,
                    ["json"] = JsonSerializer.Serialize(decision, DecisionJsonContext.Default.OperatorDecision),
                });
                doc["decided"] = true;
                doc["held"] = false;
                Verdicts.Update(doc);
                Queue.Delete(decision.Id);
                var tally = new KpiTally(Meta);
                if (existing is not null)
                {
                    TallyDecision(tally, existing, -1);
                }

                TallyDecision(tally, decision, +1);
                tally.Save();
                AuditCollection.Insert(AuditDocument(new AuditEntry(at, existing is null ? AuditEntry.Decided : AuditEntry.DecisionOverridden, request.By,
                    null, null, null,
                    $"{decision.Id} ({decision.Product}/{decision.PairId}): AI {VerdictCsv.Label(decision.AiVerdict)} -> {VerdictCsv.Label(decision.Decision)}"
                        + (decision.DefectClass is { } c ? $" {c}" : "") + $" by {request.Role}",
                    decision.Product)));
            });
            Db.Checkpoint();
            return new DecisionResult(DecisionStatus.Stored, decision, existing);
        }
    }

    /// <summary>The newest decision about a verdict; null when nobody decided it.</summary>
    public OperatorDecision? DecisionOf(string verdictId)
    {
        ArgumentNullException.ThrowIfNull(verdictId);
        return Guard("read a decision", () => LatestDecisionOf(verdictId));
    }

    /// <summary>The newest decision of each of these verdicts that has one.</summary>
    public IReadOnlyDictionary<string, OperatorDecision> DecisionsOf(IEnumerable<string> verdictIds)
    {
        ArgumentNullException.ThrowIfNull(verdictIds);
        var ids = verdictIds.Distinct(StringComparer.Ordinal).ToList();
        return Guard("read decisions", () =>
        {
            var found = new Dictionary<string, OperatorDecision>(StringComparer.Ordinal);
            foreach (var chunk in ids.Chunk(500))
            {
                foreach (var d in DecisionsCollection.Find(Expression("verdictId IN @0", new BsonArray(chunk.Select(c => new BsonValue(c)))))
                    .OrderBy(d => d["_id"].AsString, StringComparer.Ordinal))
                {
                    found[d["verdictId"].AsString] = ReadDecision(d);
                }
            }

            return (IReadOnlyDictionary<string, OperatorDecision>)found;
        });
    }

    /// <summary>Decisions stored in [<paramref name="since"/>, <paramref name="until"/>), newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<OperatorDecision> Decisions(DateTimeOffset? since = null, DateTimeOffset? until = null, string? product = null, int limit = 100) =>
        Guard("read decisions", () => (IReadOnlyList<OperatorDecision>)[.. DecisionsCollection.Find(Expression("at >= @0 AND at < @1",
                (since ?? DateTimeOffset.MinValue).UtcDateTime, (until ?? DateTimeOffset.MaxValue).UtcDateTime))
            .Where(d => product is null || d["product"].AsString == product)
            .OrderByDescending(d => d["_id"].AsString, StringComparer.Ordinal).Take(limit).Select(ReadDecision)]);

    /// <summary>
    /// The review queue: undecided REVIEW verdicts first, oldest first, then the spot-check picks, oldest first; at
    /// most <paramref name="limit"/>, each with its stored heatmaps.
    /// </summary>
    public IReadOnlyList<StoredVerdict> ReviewQueue(int limit, string? product = null) => Guard("read the review queue", () =>
        (IReadOnlyList<StoredVerdict>)[.. Queue.FindAll()
            .Where(q => product is null || q["product"].AsString == product)
            .OrderBy(q => q["spot"].AsBoolean).ThenBy(q => q["seq"].AsInt64)
            .Select(q => Verdicts.FindById(q["_id"]))
            .Where(d => d is not null && d["state"].AsString == Judged)
            .Take(limit)
            .Select(d => new StoredVerdict(FromDocument(d!), HeatmapsOf(d!)))]);

    /// <summary>How many verdicts wait in the review queue: (REVIEW, spot checks).</summary>
    public (int Review, int SpotChecks) QueueLength() => Guard("count the review queue", () =>
        (Queue.Count(Expression("spot = @0", false)), Queue.Count(Expression("spot = @0", true))));

    /// <summary>The KPI tallies of the days in [<paramref name="from"/>, <paramref name="to"/>] (<c>yyyy-MM-dd</c>), per product, oldest first.</summary>
    public IReadOnlyList<KpiDay> Kpis(KpiCalendar calendar, string from, string to) => Guard("read the KPIs", () =>
    {
        var prefix = KpiKey(calendar, "");
        return (IReadOnlyList<KpiDay>)[.. Meta.Find(Expression("_id >= @0 AND _id <= @1", prefix + from, prefix + to))
            .OrderBy(d => d["_id"].AsString, StringComparer.Ordinal)
            .SelectMany(d => d["products"].AsArray.Select(p => ReadKpi(d["_id"].AsString[prefix.Length..], p.AsDocument)))];
    });

    /// <inheritdoc/>
    public IReadOnlyList<PendingDecision> PendingDecisions(int max) =>
        Unpublished(DecisionsCollection, "read the decision outbox", max, (id, json) => new PendingDecision(id, json));

    /// <summary>How many decisions wait for the broker.</summary>
    public int PendingDecisionCount() => Guard("count the decision outbox", () => DecisionsCollection.Count(Expression("published = @0", false)));

    /// <inheritdoc/>
    public void MarkDecisionsPublished(IReadOnlyList<string> decisionIds, DateTimeOffset at) => MarkPublished(DecisionsCollection, decisionIds, at);

    /// <summary>Undecided REVIEW verdicts judged before <paramref name="judgedBefore"/> are no longer held out of the archive.</summary>
    public int ReleaseHeld(DateTimeOffset judgedBefore)
    {
        lock (_writeGate)
        {
            var released = 0;
            InTransaction(() =>
            {
                foreach (var doc in Verdicts.Find(Expression("seq > 0 AND held = true AND judgedAt < @0", judgedBefore.UtcDateTime)).ToList())
                {
                    doc["held"] = false;
                    Verdicts.Update(doc);
                    released++;
                }
            });
            return released;
        }
    }

    // Called inside Append's transaction for each verdict newly stored; the caller saves the tally once for the batch.
    private void Enqueue(BsonDocument doc, Verdict verdict, KpiTally tally)
    {
        var review = verdict.Outcome == VerdictKind.Review;
        doc["held"] = review;
        TallyVerdict(tally, verdict);
        if (review || (verdict.Outcome is VerdictKind.Ok or VerdictKind.Ng && SpotCheck.Picks(verdict.Id, SpotCheckRate)))
        {
            Queue.Upsert(new BsonDocument
            {
                ["_id"] = verdict.Id,
                ["seq"] = verdict.Seq,
                ["product"] = verdict.Product,
                ["spot"] = !review,
            });
        }
    }

    private OperatorDecision? LatestDecisionOf(string verdictId) =>
        DecisionsCollection.Find(Expression("verdictId = @0", verdictId)).OrderByDescending(d => d["_id"].AsString, StringComparer.Ordinal)
            .Select(ReadDecision).FirstOrDefault();

    private static OperatorDecision ReadDecision(BsonDocument doc) =>
        JsonSerializer.Deserialize(doc["json"].AsString, DecisionJsonContext.Default.OperatorDecision)!;

    private static void TallyVerdict(KpiTally tally, Verdict verdict) => tally.Count(verdict.JudgedAt, verdict.Product, k =>
    {
        Add(k, "suspects", 1);
        Add(k, verdict.Outcome switch { VerdictKind.Ok => "ok", VerdictKind.Ng => "ng", VerdictKind.Review => "review", _ => "error" }, 1);
    });

    // sign -1 takes back the tallies of a decision an override replaces.
    private static void TallyDecision(KpiTally tally, OperatorDecision decision, int sign) => tally.Count(decision.JudgedAt, decision.Product, k =>
    {
        Add(k, "decisions", sign);
        if (decision.AiVerdict is VerdictKind.Ok or VerdictKind.Ng)
        {
            Add(k, "compared", sign);
            Add(k, "agreed", decision.AiVerdict == decision.Decision ? sign : 0);
            Add(k, "escapes", decision.AiVerdict == VerdictKind.Ok && decision.Decision == VerdictKind.Ng ? sign : 0);
            Add(k, "overkillConfirmed", decision.AiVerdict == VerdictKind.Ng && decision.Decision == VerdictKind.Ok ? sign : 0);
        }
        else if (decision.AiVerdict == VerdictKind.Review)
        {
            Add(k, "reviewDecided", sign);
            Add(k, "reviewOk", decision.Decision == VerdictKind.Ok ? sign : 0);
        }
    });

    // The day records one transaction touches, each read once and written once when it ends: a batch of verdicts
    // costs two record writes, not two per verdict.
    private sealed class KpiTally(ILiteCollection<BsonDocument> meta)
    {
        private readonly Dictionary<string, BsonDocument> _days = new(StringComparer.Ordinal);

        public void Count(DateTimeOffset at, string product, Action<BsonDocument> count)
        {
            foreach (var key in new[] { KpiKey(KpiCalendar.Utc, KpiDays.Of(at, KpiCalendar.Utc)), KpiKey(KpiCalendar.Local, KpiDays.Of(at, KpiCalendar.Local)) })
            {
                if (!_days.TryGetValue(key, out var day))
                {
                    day = meta.FindById(key) ?? new BsonDocument { ["_id"] = key, ["products"] = new BsonArray() };
                    _days[key] = day;
                }

                var products = day["products"].AsArray;
                var counts = products.Select(p => p.AsDocument).FirstOrDefault(p => p["product"].AsString == product);
                if (counts is null)
                {
                    counts = new BsonDocument { ["product"] = product };
                    products.Add(counts);
                }

                count(counts);
            }
        }

        public void Save()
        {
            foreach (var day in _days.Values)
            {
                meta.Upsert(day);
            }
        }
    }

    private static void Add(BsonDocument counts, string name, long by)
    {
        if (by != 0)
        {
            counts[name] = (counts[name].IsNumber ? counts[name].AsInt64 : 0) + by;
        }
    }

    private static KpiDay ReadKpi(string day, BsonDocument p)
    {
        long N(string name) => p[name].IsNumber ? p[name].AsInt64 : 0;
        return new KpiDay(day, p["product"].AsString, N("suspects"), N("ok"), N("ng"), N("review"), N("error"), N("decisions"), N("compared"),
            N("agreed"), N("escapes"), N("overkillConfirmed"), N("reviewDecided"), N("reviewOk"));
    }

    private static string KpiKey(KpiCalendar calendar, string day) => KpiPrefix + (calendar == KpiCalendar.Utc ? "utc:" : "local:") + day;
}
