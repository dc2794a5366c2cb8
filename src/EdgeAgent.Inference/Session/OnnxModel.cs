using System.Globalization;
using System.Security.Cryptography;
using EdgeAgent.Inference.Model;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Session;

/// <summary>
/// One loaded model of any kind: an ONNX Runtime session on the chosen provider, with its contract checked and
/// a warm-up run done, so a model that cannot run fails here and not on the first pair.
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// is thread-safe; each worker gets its own <see cref="ModelRunner"/> for buffers.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    /// <summary>Input name of the gray template, uint8 [N, R, R, 1].</summary>
    public const string TemplateInput = "template";

    /// <summary>Input name of the colour image, uint8 [N, R, R, 3], BGR.</summary>
    public const string ImageInput = "image";

    /// <summary>STPM output: the layer maps, float32 [N, 3, R, R].</summary>
    public const string MapsOutput = "layer_maps";

    /// <summary>Pair segmentation, MemSeg, density (optional): the anomaly or defect-probability map, float32 [N, 1, h, w].</summary>
    public const string AnomalyMapOutput = "anomaly_map";

    /// <summary>Classifier, pair segmentation (optional): class probabilities, float32 [N, K].</summary>
    public const string ClassProbsOutput = "class_probs";

    /// <summary>Density: the Mahalanobis score, float32 [N, 1].</summary>
    public const string ScoreOutput = "score";

    /// <summary>Any kind (optional): the template's and the image's distance to the training pairs, float32 [N, 2].</summary>
    public const string OodOutput = "ood_distance";

    private OnnxModel(InferenceSession session, ModelInfo info, string provider)
    {
        Session = session;
        Info = info;
        Provider = provider;
    }

    /// <summary>The model's metadata.</summary>
    public ModelInfo Info { get; }

    /// <summary>The name <see cref="Provider"/> has when the model runs on the CPU.</summary>
    public const string CpuProvider = "CPU";

    /// <summary>The execution provider actually in use: <c>TensorRT</c>, <c>CUDA</c> or <see cref="CpuProvider"/>.</summary>
    public string Provider { get; }

    internal InferenceSession Session { get; }

    /// <summary>
    /// Loads, validates and warms up a model. With <paramref name="expectedSha256"/> a file of another SHA-256 is refused
    /// (<see cref="ModelContractException.HashMismatch"/>) before ONNX Runtime parses it; the bytes hashed are the bytes
    /// loaded, so there is no window for a swap between a check and the load.
    /// </summary>
    /// <exception cref="ModelContractException">The file is missing, unreadable, not the expected one or breaks the contract.</exception>
    public static OnnxModel Load(string path, InferenceOptions options, ILogger logger, string? expectedSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path))
        {
            throw new ModelContractException($"Model file not found: {path}");
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        if (expectedSha256 is not null && sha256 != expectedSha256)
        {
            throw new ModelContractException($"{path} has sha256 {sha256}, but {expectedSha256} was expected: refused", reason: ModelContractException.HashMismatch);
        }

        var why = "configured";
        foreach (var provider in Chain(options.Provider))
        {
            var (model, error, reason) = TryCreate(path, options, sha256, provider);
            if (model is null && provider != ProviderKind.Cpu)
            {
                error = WhyGpuFailed(provider, error);
            }

            if (model is not null)
            {
                Log.ProviderSelected(logger, model.Info.Name, model.Info.Version, model.Provider, why == "configured" && provider != ProviderKind.Cpu ? $"{model.Provider} started and warmed up" : why);
                return model;
            }

            // A contract problem is the model's, not the provider's: no other provider would read it differently.
            if (provider == ProviderKind.Cpu || reason != ModelContractException.WrongContract)
            {
                throw new ModelContractException($"Model {path} cannot be loaded: {error}", reason: reason);
            }

            if (options.Provider == ExecutionProviderChoice.Cuda)
            {
                throw new ModelContractException($"CUDA was required (Model:Provider=Cuda) but is unavailable: {error}");
            }

            // One log line in the end names the provider in use and why each one before it was passed over.
            why = (why == "configured" ? "" : why + "; ") + $"{NameOf(provider)} unavailable: {error}";
        }

        throw new ModelContractException($"Model {path} cannot be loaded: {why}");
    }

    /// <summary>A runner with its own pinned buffers for batches of up to <paramref name="capacity"/> pairs, for one thread.</summary>
    public ModelRunner CreateRunner(int capacity = 1) => new(this, capacity);

    /// <inheritdoc/>
    public void Dispose() => Session.Dispose();

    /// <summary>The providers tried in order for a configured choice.</summary>
    private static ProviderKind[] Chain(ExecutionProviderChoice choice) => choice switch
    {
        ExecutionProviderChoice.Cpu => [ProviderKind.Cpu],
        ExecutionProviderChoice.Cuda => [ProviderKind.Cuda],
        ExecutionProviderChoice.TensorRt => [ProviderKind.TensorRt, ProviderKind.Cuda, ProviderKind.Cpu],
        _ => [ProviderKind.Cuda, ProviderKind.Cpu],
    };

    /// <summary>
    /// ORT names only the first library its loader missed, and on the CPU flavour only a missing entry point: say
    /// which build this is and every library to install, so one log line (or doctor) is enough to fix the box.
    /// </summary>
    private static string WhyGpuFailed(ProviderKind provider, string error)
    {
        if (!CudaLibraries.ProviderShipped)
        {
            return $"this build has no {CudaLibraries.CudaProvider} (CPU flavour); {error}";
        }

        var missing = CudaLibraries.Missing(provider == ProviderKind.TensorRt ? [.. CudaLibraries.TensorRt, .. CudaLibraries.Cuda] : CudaLibraries.Cuda);
        return missing.Count == 0 ? error : $"missing {CudaLibraries.Describe(missing)}; {error}";
    }

    private static string NameOf(ProviderKind provider) => provider switch
    {
        ProviderKind.TensorRt => "TensorRT",
        ProviderKind.Cuda => "CUDA",
        _ => CpuProvider,
    };

    private static (OnnxModel? Model, string Error, string Reason) TryCreate(string path, InferenceOptions options, string sha256, ProviderKind provider)
    {
        InferenceSession? session = null;
        try
        {
            using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            sessionOptions.IntraOpNumThreads = options.EffectiveIntraOpThreads;
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
            // The CPU native package has no GPU entry points: these throw EntryPointNotFoundException, not an ORT error.
            if (provider == ProviderKind.TensorRt)
            {
                Directory.CreateDirectory(options.TensorRtEngineCache);
                using var tensorRt = new OrtTensorRTProviderOptions();
                tensorRt.UpdateOptions(new Dictionary<string, string>
                {
                    ["device_id"] = options.CudaDeviceId.ToString(CultureInfo.InvariantCulture),
                    ["trt_engine_cache_enable"] = "1",
                    ["trt_engine_cache_path"] = options.TensorRtEngineCache,
                    ["trt_fp16_enable"] = options.TensorRtFp16 ? "1" : "0",
                });
                sessionOptions.AppendExecutionProvider_Tensorrt(tensorRt);
            }

            if (provider is ProviderKind.TensorRt or ProviderKind.Cuda)
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string>
                {
                    ["device_id"] = options.CudaDeviceId.ToString(CultureInfo.InvariantCulture),
                    // Input shapes never change (R×R, batch ≤ MaxBatch): searching the fastest conv once pays off.
                    ["cudnn_conv_algo_search"] = "EXHAUSTIVE",
                    ["do_copy_in_default_stream"] = "1",
                    ["arena_extend_strategy"] = "kSameAsRequested",
                });
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }

            session = new InferenceSession(path, sessionOptions);
            var info = ModelSignature.Check(session.InputMetadata, session.OutputMetadata, ModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, sha256));
            var model = new OnnxModel(session, info, NameOf(provider));
            using (var runner = model.CreateRunner())
            {
                runner.Run();
            }

            return (model, "", "");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything from a missing entry point to a bad graph means "this provider cannot run this model".
            session?.Dispose();
            // One line: ORT's messages can carry the loader's multi-line detail.
            var message = e switch
            {
                ModelContractException => e.Message,
                // "[ErrorCode:Fail] /onnxruntime_src/….cc:2059 …Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load …": the last part says it.
                OnnxRuntimeException => $"ONNX Runtime: {e.Message[(e.Message.LastIndexOf(" : ", StringComparison.Ordinal) + 1)..].TrimStart(' ', ':')}",
                _ => $"{e.GetType().Name}: {e.Message}",
            };
            return (null, message.ReplaceLineEndings(" ").Trim(), (e as ModelContractException)?.Reason ?? ModelContractException.WrongContract);
        }
    }
}

/// <summary>An execution provider the loader can try.</summary>
internal enum ProviderKind
{
    Cpu,
    Cuda,
    TensorRt,
}
