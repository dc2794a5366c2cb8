using System.Threading.Channels;
using EdgeAgent.Ingest;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Pipeline;

/// <summary>
/// The bounded hand-offs between stages. Full-queue policy is Wait everywhere: back-pressure travels
/// upstream to ingest, which leaves files on disk until there is room, so nothing accepted is dropped.
/// </summary>
public sealed class PipelineChannels
{
    /// <summary>Ingest → inspection.</summary>
    public Channel<PairCandidate> Candidates { get; } = Channel.CreateBounded<PairCandidate>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = true });

    /// <summary>Inspection → journal (persist before publish).</summary>
    public Channel<JudgedPair> Judged { get; } = Channel.CreateBounded<JudgedPair>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = false });
}

/// <summary>A verdict with the pair it judges and, when the pair was scored, its models' compact heatmaps, on its way to the journal.</summary>
public sealed record JudgedPair(PairCandidate Pair, Verdict Verdict, IReadOnlyList<ModelHeatmap>? Heatmaps = null);
