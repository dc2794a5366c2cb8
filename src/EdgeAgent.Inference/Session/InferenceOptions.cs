using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Inference.Session;

/// <summary>Which ONNX Runtime execution provider to use.</summary>
public enum ExecutionProviderChoice
{
    /// <summary>CUDA when the native library has it and a warm-up succeeds, otherwise CPU (logged).</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA or fail at start: for boxes where a silent CPU fallback would miss the line's takt.</summary>
    Cuda,

    /// <summary>
    /// TensorRT (engines cached in <see cref="InferenceOptions.TensorRtEngineCache"/>, CUDA for the nodes TensorRT
    /// does not take), else CUDA, else CPU, each fallback logged.
    /// </summary>
    TensorRt,
}

/// <summary>Configuration section <c>Model</c>.</summary>
public sealed class InferenceOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Model";

    /// <summary>Path of the STPM ONNX model; relative paths are resolved against the executable's folder.</summary>
    [Required]
    public string Path { get; set; } = "models/stpm_r18_synth.onnx";

    /// <summary>Execution provider selection.</summary>
    public ExecutionProviderChoice Provider { get; set; } = ExecutionProviderChoice.Auto;

    /// <summary>CUDA device ordinal.</summary>
    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>Where TensorRT keeps the engines it builds (minutes per model and shape), so a restart reuses them.</summary>
    public string TensorRtEngineCache { get; set; } = "/var/lib/edgeagent/trt-cache";

    /// <summary>Let TensorRT build fp16 engines (faster; compare scores against the fp32 canary before relying on it).</summary>
    public bool TensorRtFp16 { get; set; } = true;

    /// <summary>
    /// ONNX Runtime intra-op threads of one run on CPU; 0 = one per core. The service sets 1 unless configured
    /// (it runs a lane per core instead, <c>Pipeline:InferenceLanes</c>); the one-pair verbs use every core.
    /// </summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>The intra-op threads a session gets.</summary>
    public int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    /// <summary>
    /// Let ORT's CPU threads spin between ops. Off by default: spinning steals the cores that decode and
    /// align the next pairs (measured ~15% loss when oversubscribed).
    /// </summary>
    public bool AllowSpinning { get; set; }
}
