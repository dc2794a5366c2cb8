using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Log;

/// <summary>A verdict as the log keeps it: the published payload and, when the pair was scored, its compact heatmap.</summary>
public sealed record StoredVerdict(Verdict Verdict, VerdictHeatmap? Heatmap);
