using System.ComponentModel.DataAnnotations;
using EdgeAgent.Inference.Session;

namespace EdgeAgent.Pipeline;

/// <summary>Configuration section <c>Pipeline</c>: how pairs are prepared in parallel and batched for the model.</summary>
public sealed class PipelineOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Pipeline";

    /// <summary>
    /// Threads decoding, aligning and cropping pairs while the model runs; 0 = on a CPU a quarter of the cores
    /// (at least one: the model needs the rest), on a GPU every core (decoding is then the bottleneck).
    /// </summary>
    [Range(0, 64)]
    public int PrepareWorkers { get; set; }

    /// <summary>Most pairs judged by one model run.</summary>
    [Range(1, 64)]
    public int MaxBatch { get; set; } = 4;

    /// <summary>
    /// Longest a prepared pair waits for others to fill its batch while more are on their way. A pair with
    /// nothing behind it is judged at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Batches the model judges at once, each on its own thread with its own buffers; 0 = on a CPU one lane per
    /// <c>Model:IntraOpThreads</c> cores (the service runs one ONNX Runtime thread per lane: threads of one run
    /// wait on each other at every layer, lanes never do), on a GPU one.
    /// </summary>
    [Range(0, 64)]
    public int InferenceLanes { get; set; }

    /// <summary>
    /// A shadow model judges a batch only while fewer pairs than this wait in the ingest queue: when the box is
    /// saturated it skips (and counts) pairs rather than slow the line. 0 = the shadow never runs.
    /// </summary>
    [Range(0, 10_000)]
    public int ShadowMaxQueue { get; set; } = 8;

    /// <summary>The inference lanes for a model running on <paramref name="provider"/> with <paramref name="intraOpThreads"/> threads per run.</summary>
    public int LanesFor(string provider, int intraOpThreads) =>
        InferenceLanes > 0 ? InferenceLanes : IsCpu(provider) ? Math.Max(1, Environment.ProcessorCount / Math.Max(1, intraOpThreads)) : 1;

    /// <summary>The prepare workers for a model running on <paramref name="provider"/>.</summary>
    public int PrepareWorkersFor(string provider) =>
        PrepareWorkers > 0 ? PrepareWorkers : IsCpu(provider) ? Math.Max(1, Environment.ProcessorCount / 4) : Environment.ProcessorCount;

    private static bool IsCpu(string provider) => string.Equals(provider, OnnxModel.CpuProvider, StringComparison.Ordinal);
}
