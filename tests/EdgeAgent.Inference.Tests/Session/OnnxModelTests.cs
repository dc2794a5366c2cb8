using System.Reflection;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Inference.Tests.Session;

public sealed class OnnxModelTests
{
    private static string BundledModel
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "models", "default", "stpm_r18_synth.onnx");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("bundled model not found");
        }
    }

    /// <summary>The flavour this test assembly was built with: "gpu" (the product's runtime) or "cpu".</summary>
    private static string Flavour => typeof(OnnxModelTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "EdgeAgentFlavour").Value!;

    [Fact]
    public void ProviderShipped_GpuFlavourTestOutput_KeepsTheCudaProvider() =>
        // The fallback tests below are only worth something if ORT really tried to load the CUDA provider.
        Assert.Equal(Flavour == "gpu", CudaLibraries.ProviderShipped);

    [Fact]
    public void Load_AutoWithoutCuda_FallsBackToCpuInOneLineNamingTheMissingLibraries()
    {
        var log = new LinesLogger();
        using var model = OnnxModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Auto }, log);
        using var runner = model.CreateRunner();
        runner.Template.Fill(128);
        runner.Image.Fill(128);

        runner.Run();

        Assert.Equal("CPU", model.Provider);
        Assert.Equal(3 * model.Info.Input * model.Info.Input, runner.LayerMaps.Length);
        Assert.All(runner.LayerMaps.ToArray(), v => Assert.InRange(v, 0f, 2f)); // 0.5·‖a−b‖² of unit vectors
        Assert.Equal(64, model.Info.Sha256.Length);
        var line = Assert.Single(log.Lines);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("runs on CPU (CUDA unavailable: ", line, StringComparison.Ordinal);
        Assert.Contains(Flavour == "gpu" ? "missing libcuda.so.1" : "(CPU flavour)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AutoWithoutCuda_ScoresLikeTheCpuProvider()
    {
        using var auto = OnnxModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Auto }, NullLogger.Instance);
        using var cpu = OnnxModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance);
        using var a = auto.CreateRunner();
        using var c = cpu.CreateRunner();
        var random = new Random(13);
        random.NextBytes(a.Template);
        random.NextBytes(a.Image);
        a.Template.CopyTo(c.Template);
        a.Image.CopyTo(c.Image);

        a.Run();
        c.Run();

        // The golden tolerance of the score contract (tests/EdgeAgent.Tests GoldenParityTests).
        var worst = 0f;
        for (int i = 0; i < a.LayerMaps.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a.LayerMaps[i] - c.LayerMaps[i]));
        }

        Assert.InRange(worst, 0f, 1e-3f);
    }

    [Fact]
    public void Load_TensorRtWithoutCuda_FallsBackThroughCudaToCpuAndSaysWhyInOneLine()
    {
        var log = new LinesLogger();
        var cache = Path.Combine(Path.GetTempPath(), $"edgeagent-trt-{Guid.NewGuid():N}");
        try
        {
            using var model = OnnxModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.TensorRt, TensorRtEngineCache = cache }, log);
            using var runner = model.CreateRunner(capacity: 2);
            runner.Run(2);

            Assert.Equal("CPU", model.Provider);
            var line = Assert.Single(log.Lines);
            Assert.Contains("TensorRT unavailable", line, StringComparison.Ordinal);
            Assert.Contains("CUDA unavailable", line, StringComparison.Ordinal);
            if (Flavour == "gpu")
            {
                Assert.Contains("libnvinfer.so.10", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
    }

    [Fact]
    public void Load_CudaRequiredButAbsent_ThrowsContractExceptionNamingTheMissingLibraries()
    {
        var e = Assert.Throws<ModelContractException>(() => OnnxModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cuda }, NullLogger.Instance));
        Assert.Contains(Flavour == "gpu" ? "libcudart.so.13" : "(CPU flavour)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotAnOnnxFile_ThrowsContractException()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a model");
        try
        {
            var e = Assert.Throws<ModelContractException>(() => OnnxModel.Load(path, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsContractException() =>
        Assert.Throws<ModelContractException>(() => OnnxModel.Load("/nonexistent/model.onnx", new InferenceOptions(), NullLogger.Instance));
}

/// <summary>Keeps every formatted log line (a real logger writing to a list).</summary>
internal sealed class LinesLogger : Microsoft.Extensions.Logging.ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Add(formatter(state, exception));
}
