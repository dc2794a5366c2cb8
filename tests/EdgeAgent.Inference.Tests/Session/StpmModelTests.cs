using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Inference.Tests.Session;

public sealed class StpmModelTests
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

    [Fact]
    public void Load_AutoOnACpuOnlyBuild_FallsBackToCpuAndRuns()
    {
        using var model = StpmModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Auto }, NullLogger.Instance);
        using var runner = model.CreateRunner();
        runner.Template.Fill(128);
        runner.Image.Fill(128);

        runner.Run();

        Assert.Equal("CPU", model.Provider);
        Assert.Equal(3 * model.Info.Input * model.Info.Input, runner.LayerMaps.Length);
        Assert.All(runner.LayerMaps.ToArray(), v => Assert.InRange(v, 0f, 2f)); // 0.5·‖a−b‖² of unit vectors
        Assert.Equal(64, model.Info.Sha256.Length);
    }

    [Fact]
    public void Load_TensorRtOnACpuOnlyBuild_FallsBackThroughCudaToCpuAndSaysWhyInOneLine()
    {
        var log = new LinesLogger();
        var cache = Path.Combine(Path.GetTempPath(), $"edgeagent-trt-{Guid.NewGuid():N}");
        try
        {
            using var model = StpmModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.TensorRt, TensorRtEngineCache = cache }, log);
            using var runner = model.CreateRunner(capacity: 2);
            runner.Run(2);

            Assert.Equal("CPU", model.Provider);
            var line = Assert.Single(log.Lines);
            Assert.Contains("TensorRT unavailable", line, StringComparison.Ordinal);
            Assert.Contains("CUDA unavailable", line, StringComparison.Ordinal);
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
    public void Load_CudaRequiredButAbsent_ThrowsContractException() =>
        Assert.Throws<ModelContractException>(() => StpmModel.Load(BundledModel, new InferenceOptions { Provider = ExecutionProviderChoice.Cuda }, NullLogger.Instance));

    [Fact]
    public void Load_NotAnOnnxFile_ThrowsContractException()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a model");
        try
        {
            var e = Assert.Throws<ModelContractException>(() => StpmModel.Load(path, new InferenceOptions { Provider = ExecutionProviderChoice.Cpu }, NullLogger.Instance));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsContractException() =>
        Assert.Throws<ModelContractException>(() => StpmModel.Load("/nonexistent/model.onnx", new InferenceOptions(), NullLogger.Instance));
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
