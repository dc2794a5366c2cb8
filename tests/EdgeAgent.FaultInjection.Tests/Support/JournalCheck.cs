using System.Text.Json;
using EdgeAgent.Ingest;
using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace EdgeAgent.FaultInjection.Tests.Support;

/// <summary>
/// Opens the agent's LiteDB files while no agent runs (right after a SIGKILL, before the restart) and checks
/// them document by document: the journal opens at all (LiteDB replays its -log.db); every document is a
/// known state (seen, judged, archived stub) with a ULID id and a unique pair key; every judged verdict's
/// JSON parses and carries its document's id, seq and image; every archived stub has its verdict in a
/// monthly archive file (else the verdict is gone) and every archived verdict whose image is still there
/// has its journal document;
/// the seqs over all judged verdicts are 1..N without a gap or a repeat (a gap would be a committed batch
/// lost while a later one survived); and the product's own read API (<see cref="VerdictLog.OpenReadOnly"/>:
/// Count, PendingCount, Unfinished) agrees with the raw documents.
/// </summary>
public static class JournalCheck
{
    // Where VerdictLog and VerdictArchive keep their documents (src/EdgeAgent.Storage/Log, …/Retention).
    private const string Collection = "verdicts";

    /// <summary>Checks the files and returns what they hold; throws <see cref="JournalInconsistentException"/> listing every problem.</summary>
    public static JournalReport Check(string databasePath)
    {
        var problems = new List<string>();
        var archive = ReadArchive(Path.Combine(Path.GetDirectoryName(databasePath)!, "archive"), problems);
        var records = new List<JournalRecord>();
        using (var db = Open(databasePath))
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var doc in db.GetCollection(Collection).FindAll())
            {
                if (Read(doc, archive, problems) is { } record)
                {
                    records.Add(record);
                    if (!keys.Add(record.PairKey))
                    {
                        problems.Add($"pairKey {record.PairKey} stored twice");
                    }
                }
            }
        }

        var ids = records.Select(r => r.Id).ToHashSet();
        // Retention forgets a stub once its image is gone from the watched folder (nothing left to re-judge).
        problems.AddRange(archive.Where(a => !ids.Contains(a.Key) && PairKey.Probe(a.Value["pairKey"].AsString) != PairImagePresence.Gone)
            .Select(a => $"archived verdict {a.Key} has no journal document although its image is still there"));
        var seqs = records.Where(r => r.Verdict is not null).Select(r => r.Seq).Order().ToList();
        int gap = seqs.Select((s, i) => (s, i)).FirstOrDefault(x => x.s != x.i + 1, (-1, -1)).i;
        if (gap >= 0)
        {
            problems.Add($"judged seqs are not 1..{seqs.Count}: position {gap + 1} holds {seqs[gap]}");
        }

        var report = new JournalReport(records, archive.Count);
        using (var log = VerdictLog.OpenReadOnly(databasePath))
        {
            Expect(problems, "VerdictLog.Count", log.Count(), records.Count(r => r.State == "judged") + archive.Count);
            Expect(problems, "VerdictLog.PendingCount", log.PendingCount(), report.Pending);
            Expect(problems, "VerdictLog.Unfinished", log.Unfinished().Count, report.Seen);
        }

        return problems.Count == 0 ? report : throw new JournalInconsistentException(databasePath, problems);
    }

    private static LiteDatabase Open(string path) =>
        new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true });

    private static Dictionary<string, BsonDocument> ReadArchive(string folder, List<string> problems)
    {
        var byId = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
        foreach (var path in Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "verdicts-*.db").Where(p => !p.EndsWith("-log.db", StringComparison.Ordinal)) : [])
        {
            using var db = Open(path);
            foreach (var doc in db.GetCollection(Collection).FindAll())
            {
                if (!byId.TryAdd(doc["_id"].AsString, doc))
                {
                    problems.Add($"verdict {doc["_id"]} archived twice");
                }
            }
        }

        return byId;
    }

    private static JournalRecord? Read(BsonDocument doc, Dictionary<string, BsonDocument> archive, List<string> problems)
    {
        var id = doc["_id"].IsString ? doc["_id"].AsString : "";
        var pairKey = doc["pairKey"].IsString ? doc["pairKey"].AsString : "";
        var state = doc["state"].IsString ? doc["state"].AsString : "";
        if (id.Length != 26 || pairKey.Length == 0 || state is not ("seen" or "judged" or "archived"))
        {
            problems.Add($"document {doc["_id"]}: id '{id}', pairKey '{pairKey}', state '{state}'");
            return null;
        }

        var imagePath = pairKey[..Math.Max(0, pairKey.LastIndexOf('@'))];
        if (state == "seen")
        {
            return new JournalRecord(id, pairKey, imagePath, state, 0, false, null);
        }

        var full = state == "archived" ? archive.GetValueOrDefault(id) : doc;
        if (full is null)
        {
            problems.Add($"document {id}: archived stub without its archived verdict (the verdict is gone)");
            return null;
        }

        if (state == "judged" && archive.TryGetValue(id, out var copy) && copy["json"] != doc["json"])
        {
            problems.Add($"document {id}: the archive holds a different verdict than the journal");
        }

        Verdict? verdict = null;
        try
        {
            verdict = JsonSerializer.Deserialize(full["json"].AsString, VerdictJsonContext.Default.Verdict);
        }
        catch (Exception e) when (e is JsonException or InvalidCastException or NullReferenceException)
        {
            problems.Add($"document {id}: verdict JSON does not parse: {e.Message}");
        }

        long seq = full["seq"].IsNumber ? full["seq"].AsInt64 : -1;
        if (verdict is null || verdict.Id != id || verdict.Seq != seq || verdict.Image.Path != imagePath)
        {
            problems.Add($"document {id}: verdict id {verdict?.Id}, seq {verdict?.Seq}/{seq}, image {verdict?.Image.Path} vs key {pairKey}");
            return null;
        }

        return new JournalRecord(id, pairKey, imagePath, state, seq, state == "archived" || full["published"].AsBoolean, verdict);
    }

    private static void Expect(List<string> problems, string what, int actual, int expected)
    {
        if (actual != expected)
        {
            problems.Add($"{what} = {actual}, documents say {expected}");
        }
    }
}

/// <summary>One journal document as the check read it; <see cref="Verdict"/> is null while the pair is only seen.</summary>
public sealed record JournalRecord(string Id, string PairKey, string ImagePath, string State, long Seq, bool Published, Verdict? Verdict)
{
    public bool Judged => Verdict is not null;
}

/// <summary>What a consistent journal (and its archive) holds.</summary>
public sealed class JournalReport(IReadOnlyList<JournalRecord> records, int archiveDocuments)
{
    /// <summary>One per journal document; archived pairs carry the verdict read from the archive.</summary>
    public IReadOnlyList<JournalRecord> Records { get; } = records;

    public int Documents => Records.Count;

    public int Judged => Records.Count(r => r.Judged);

    public int Seen => Records.Count(r => !r.Judged);

    /// <summary>Judged but not acknowledged by the broker: the outbox.</summary>
    public int Pending => Records.Count(r => r.Judged && !r.Published);

    /// <summary>Pairs whose verdict lives in the monthly archive (journal stub only).</summary>
    public int Archived => Records.Count(r => r.State == "archived");

    /// <summary>Verdicts in the archive whose journal document was not yet turned into a stub (a pass cut short).</summary>
    public int InBoth => archiveDocuments - Archived;

    public override string ToString() => $"{Documents} docs: {Judged} judged ({Pending} unpublished, {Archived} archived, {InBoth} in both), {Seen} seen";
}

/// <summary>The journal files failed the consistency check.</summary>
public sealed class JournalInconsistentException(string path, IReadOnlyList<string> problems)
    : Exception($"{path} is inconsistent ({problems.Count} problems):\n  " + string.Join("\n  ", problems.Take(20)));
