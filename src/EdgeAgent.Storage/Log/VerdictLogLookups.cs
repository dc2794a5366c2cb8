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
        Guard("read verdicts", () => FindDocuments(query).Select(d => new StoredVerdict(FromDocument(d), HeatmapOf(d))).ToList());

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
            return doc["state"].AsString == Judged ? new StoredVerdict(FromDocument(doc), HeatmapOf(doc)) : null;
        }

        // The stub knows the month; a forgotten stub leaves the id's own time (when the pair was seen) to go by.
        var judgedAround = doc?["judgedAt"].AsDateTime ?? (VerdictIdGenerator.TryTimestampOf(verdictId) is { } seen ? seen.UtcDateTime : (DateTime?)null);
        return judgedAround is { } at && Archive.FindById(verdictId, at) is { } archived ? new StoredVerdict(FromDocument(archived), HeatmapOf(archived)) : null;
    }

    // A sub-document of the verdict's, so archiving and pruning carry it along with nothing else to do.
    private static void StoreHeatmap(BsonDocument doc, VerdictHeatmap? heatmap)
    {
        if (heatmap is not null)
        {
            doc["heatmap"] = new BsonDocument { ["crop"] = heatmap.Crop, ["levels"] = heatmap.Levels };
        }
    }

    private static VerdictHeatmap? HeatmapOf(BsonDocument doc) =>
        doc["heatmap"] is { IsDocument: true } h && h["levels"] is { IsBinary: true } levels && levels.AsBinary.Length == VerdictHeatmap.Side * VerdictHeatmap.Side
            ? new VerdictHeatmap(h["crop"].AsInt32, levels.AsBinary)
            : null;
}
