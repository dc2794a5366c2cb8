using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Session;

/// <summary>
/// Pinned input/output buffers wrapped once in <see cref="OrtValue"/>s, so a run allocates next to
/// nothing. Not thread-safe: one per worker. Fill <see cref="Template"/> and <see cref="Image"/>,
/// call <see cref="Run"/>, read <see cref="LayerMaps"/>.
/// </summary>
public sealed class StpmRunner : IDisposable
{
    private static readonly string[] InputNames = [StpmModel.TemplateInput, StpmModel.ImageInput];
    private static readonly string[] OutputNames = [StpmModel.MapsOutput];
    private readonly StpmModel _model;
    private readonly byte[] _template;
    private readonly byte[] _image;
    private readonly float[] _maps;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly RunOptions _runOptions = new();

    internal StpmRunner(StpmModel model)
    {
        _model = model;
        int r = model.Info.Input;
        _template = GC.AllocateArray<byte>(r * r, pinned: true);
        _image = GC.AllocateArray<byte>(r * r * 3, pinned: true);
        _maps = GC.AllocateArray<float>(3 * r * r, pinned: true);
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _template.AsMemory(), [1, r, r, 1]),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _image.AsMemory(), [1, r, r, 3]),
        ];
        _outputs = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _maps.AsMemory(), [1, 3, r, r])];
    }

    /// <summary>Gray template pixels, R×R row-major.</summary>
    public Span<byte> Template => _template;

    /// <summary>BGR image pixels, R×R×3 row-major (OpenCV's layout).</summary>
    public Span<byte> Image => _image;

    /// <summary>d_1..d_3 after the last <see cref="Run"/>, as three R×R planes.</summary>
    public ReadOnlySpan<float> LayerMaps => _maps;

    /// <summary>Runs the model on the current inputs.</summary>
    public void Run() => _model.Session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
    }
}
