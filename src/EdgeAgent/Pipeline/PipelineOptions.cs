using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Host.Pipeline;

/// <summary>Configuration section <c>Pipeline</c>: how pairs are prepared in parallel and batched for the model.</summary>
public sealed class PipelineOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Pipeline";

    /// <summary>
    /// Threads decoding, aligning and cropping pairs while the model runs; 0 = a quarter of the cores, at
    /// least one. They share the cores with ONNX Runtime's own threads (<c>Model:IntraOpThreads</c>).
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

    /// <summary>The prepare workers this box runs.</summary>
    public int EffectivePrepareWorkers => PrepareWorkers > 0 ? PrepareWorkers : Math.Max(1, Environment.ProcessorCount / 4);
}
