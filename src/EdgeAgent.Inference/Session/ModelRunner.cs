using EdgeAgent.Inference.Model;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Session;

/// <summary>
/// Pinned input/output buffers for up to <see cref="Capacity"/> pairs, wrapped once per batch size in
/// <see cref="OrtValue"/>s over the same memory and bound once to an <see cref="OrtIoBinding"/>, so a run
/// allocates nothing whatever its size and, on CUDA, ORT copies straight between these buffers and the
/// device. Not thread-safe: one per inference lane. Fill slots <c>0..n-1</c> (<see cref="TemplateSlot"/> when
/// the model takes the template, <see cref="ImageSlot"/>), call <see cref="Run(int)"/>, read the outputs of the
/// model's kind (<see cref="LayerMapsOf"/>, <see cref="AnomalyMapOf"/>, <see cref="ClassProbsOf"/>, <see cref="ScoreOf"/>).
/// </summary>
public sealed class ModelRunner : IDisposable
{
    private readonly OnnxModel _model;
    private readonly int _side;
    private readonly byte[] _template;
    private readonly byte[] _image;
    private readonly Output[] _outputs;
    private readonly BoundRun?[] _bySize;
    private readonly RunOptions _runOptions = new();

    internal ModelRunner(OnnxModel model, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _model = model;
        var info = model.Info;
        _side = info.Input;
        Capacity = capacity;
        _template = GC.AllocateArray<byte>(info.UsesTemplate ? capacity * TemplateLength : 0, pinned: true);
        _image = GC.AllocateArray<byte>(capacity * ImageLength, pinned: true);
        _outputs = [.. OutputsOf(info).Select(o => new Output(o.Name, o.Shape, GC.AllocateArray<float>(capacity * o.Shape.Aggregate(1, (a, b) => a * b), pinned: true)))];
        _bySize = new BoundRun?[capacity];
    }

    /// <summary>Most pairs one <see cref="Run(int)"/> takes.</summary>
    public int Capacity { get; }

    /// <summary>Gray template pixels of slot 0 (R×R row-major): the single-pair view.</summary>
    public Span<byte> Template => TemplateSlot(0);

    /// <summary>BGR image pixels of slot 0 (R×R×3 row-major, OpenCV's layout): the single-pair view.</summary>
    public Span<byte> Image => ImageSlot(0);

    /// <summary>d_1..d_3 of slot 0 after the last run, as three R×R planes (STPM).</summary>
    public ReadOnlySpan<float> LayerMaps => LayerMapsOf(0);

    private int TemplateLength => _side * _side;

    private int ImageLength => _side * _side * 3;

    /// <summary>Gray template pixels of pair <paramref name="slot"/>, R×R row-major; empty when the model does not take the template.</summary>
    public Span<byte> TemplateSlot(int slot) => _model.Info.UsesTemplate ? _template.AsSpan(slot * TemplateLength, TemplateLength) : [];

    /// <summary>BGR image pixels of pair <paramref name="slot"/>, R×R×3 row-major.</summary>
    public Span<byte> ImageSlot(int slot) => _image.AsSpan(slot * ImageLength, ImageLength);

    /// <summary>STPM: the layer maps of pair <paramref name="slot"/> after the last run.</summary>
    public ReadOnlySpan<float> LayerMapsOf(int slot) => OutputOf(OnnxModel.MapsOutput, slot);

    /// <summary>The anomaly map of pair <paramref name="slot"/> (h×w row-major), empty when the model has none.</summary>
    public ReadOnlySpan<float> AnomalyMapOf(int slot) => OutputOf(OnnxModel.AnomalyMapOutput, slot);

    /// <summary>The class probabilities of pair <paramref name="slot"/>, empty when the model has none.</summary>
    public ReadOnlySpan<float> ClassProbsOf(int slot) => OutputOf(OnnxModel.ClassProbsOutput, slot);

    /// <summary>Density: the score of pair <paramref name="slot"/>.</summary>
    public float ScoreOf(int slot) => OutputOf(OnnxModel.ScoreOutput, slot)[0];

    /// <summary>The template's and the image's distance to the model's training pairs; null when the model has no such output.</summary>
    public (float Template, float Image)? OodDistanceOf(int slot)
    {
        if (!_model.Info.HasOodDistance)
        {
            return null;
        }

        var distances = OutputOf(OnnxModel.OodOutput, slot);
        return (distances[0], distances[1]);
    }

    /// <summary>Runs the model on slot 0.</summary>
    public void Run() => Run(1);

    /// <summary>Runs the model on slots <c>0..count-1</c> as one batch.</summary>
    public void Run(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        var binding = (_bySize[count - 1] ??= Bind(count)).Binding;
        _model.Session.RunWithBinding(_runOptions, binding);
        binding.SynchronizeBoundOutputs();
    }

    private ReadOnlySpan<float> OutputOf(string name, int slot)
    {
        foreach (var output in _outputs)
        {
            if (output.Name == name)
            {
                return output.Buffer.AsSpan(slot * output.Length, output.Length);
            }
        }

        return [];
    }

    // The outputs the agent reads for the model's kind, with their per-pair shapes (the signature check guaranteed them).
    private static IEnumerable<(string Name, int[] Shape)> OutputsOf(ModelInfo info)
    {
        int r = info.Input;
        if (info.Kind == ModelKind.Stpm)
        {
            yield return (OnnxModel.MapsOutput, [3, r, r]);
        }

        if (info.MapSize is { Height: > 0 } map)
        {
            yield return (OnnxModel.AnomalyMapOutput, [1, map.Height, map.Width]);
        }

        if (info.Classes.Count > 0)
        {
            yield return (OnnxModel.ClassProbsOutput, [info.Classes.Count]);
        }

        if (info.Kind == ModelKind.Density)
        {
            yield return (OnnxModel.ScoreOutput, [1]);
        }

        if (info.HasOodDistance)
        {
            yield return (OnnxModel.OodOutput, [2]);
        }
    }

    private BoundRun Bind(int count)
    {
        var values = new List<OrtValue>();
        var binding = _model.Session.CreateIoBinding();
        if (_model.Info.UsesTemplate)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _template.AsMemory(0, count * TemplateLength), [count, _side, _side, 1]));
            binding.BindInput(OnnxModel.TemplateInput, values[^1]);
        }

        values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _image.AsMemory(0, count * ImageLength), [count, _side, _side, 3]));
        binding.BindInput(OnnxModel.ImageInput, values[^1]);
        foreach (var output in _outputs)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.Buffer.AsMemory(0, count * output.Length), [count, .. output.Shape.Select(d => (long)d)]));
            binding.BindOutput(output.Name, values[^1]);
        }

        return new BoundRun(binding, [.. values]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var run in _bySize.OfType<BoundRun>())
        {
            run.Dispose();
        }

        _runOptions.Dispose();
    }

    /// <summary>One output's name, per-pair shape and pinned buffer for the whole capacity.</summary>
    private sealed record Output(string Name, int[] Shape, float[] Buffer)
    {
        public int Length { get; } = Shape.Aggregate(1, (a, b) => a * b);
    }

    /// <summary>One batch size's binding and the tensors over the pinned buffers it binds (kept alive with it).</summary>
    private sealed record BoundRun(OrtIoBinding Binding, OrtValue[] Values) : IDisposable
    {
        public void Dispose()
        {
            Binding.Dispose();
            foreach (var value in Values)
            {
                value.Dispose();
            }
        }
    }
}
