using EdgeAgent.Verdicts;
using LiteDB;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// The heatmap kept in each verdict's document and the lookups the supervisors' dashboard makes. Reads only: they
/// never take the write gate (LiteDB serialises them against the single writer itself).
/// </summary>
public sealed partial class VerdictLog
{
    /// <summary>As <see cref="Find"/>, each verdict with its stored heatmap (null when it was not scored).</summary>
    public IReadOnlyList<StoredVerdict> FindStored(VerdictQuery query) =>
        Guard("read verdicts", () => FindDocuments(query).Select(d => new StoredVerdict(FromDocument(d), HeatmapsOf(d))).ToList());

    /// <summary>
    /// One verdict by id, from the journal or, once archived, from its month's archive file; null when the pair is
    /// unknown or not judged yet.
    /// </summary>
    public StoredVerdict? Get(string verdictId)
    {
        ArgumentNullException.ThrowIfNull(verdictId);
        return Guard("read a verdict", () => GetUnguarded(verdictId));
    }

    private StoredVerdict? GetUnguarded(string verdictId)
    {
        var doc = Verdicts.FindById(verdictId);
        if (doc is not null && doc["state"].AsString != Archived)
        {
            return doc["state"].AsString == Judged ? new StoredVerdict(FromDocument(doc), HeatmapsOf(doc)) : null;
        }

        // The stub knows the month; a forgotten stub leaves the id's own time (when the pair was seen) to go by.
        var judgedAround = doc?["judgedAt"].AsDateTime ?? (VerdictIdGenerator.TryTimestampOf(verdictId) is { } seen ? seen.UtcDateTime : (DateTime?)null);
        return judgedAround is { } at && Archive.FindById(verdictId, at) is { } archived ? new StoredVerdict(FromDocument(archived), HeatmapsOf(archived)) : null;
    }

    // Sub-documents of the verdict's, so archiving and pruning carry them along with nothing else to do. The first
    // model's map also stays under "heatmap", where logs written before several models per pair keep theirs.
    private static void StoreHeatmaps(BsonDocument doc, IReadOnlyList<ModelHeatmap>? heatmaps)
    {
        if (heatmaps is not { Count: > 0 })
        {
            return;
        }

        doc["heatmap"] = Document(heatmaps[0]);
        doc["heatmaps"] = new BsonArray(heatmaps.Select(h => (BsonValue)Document(h)));
    }

    private static BsonDocument Document(ModelHeatmap heatmap) =>
        new() { ["model"] = heatmap.Model, ["crop"] = heatmap.Map.Crop, ["levels"] = heatmap.Map.Levels };

    private static IReadOnlyList<ModelHeatmap> HeatmapsOf(BsonDocument doc)
    {
        var documents = doc["heatmaps"] is { IsArray: true } all ? all.AsArray.Where(h => h.IsDocument).Select(h => h.AsDocument)
            : doc["heatmap"] is { IsDocument: true } one ? [one.AsDocument] : [];
        return [.. documents
            .Where(h => h["levels"] is { IsBinary: true } levels && levels.AsBinary.Length == VerdictHeatmap.Side * VerdictHeatmap.Side)
            .Select(h => new ModelHeatmap(h["model"].IsString ? h["model"].AsString : "", new VerdictHeatmap(h["crop"].AsInt32, h["levels"].AsBinary)))];
    }
}
