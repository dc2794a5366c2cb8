using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Log;

/// <summary>A verdict as the log keeps it: the published payload and, when the pair was scored, its models' compact heatmaps.</summary>
public sealed record StoredVerdict(Verdict Verdict, IReadOnlyList<ModelHeatmap> Heatmaps)
{
    /// <summary>The first model's heatmap (the one the overview shows), null when the pair was not scored.</summary>
    public VerdictHeatmap? Heatmap => Heatmaps.Count > 0 ? Heatmaps[0].Map : null;
}
