using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference.Session;

/// <summary>
/// Pinned input/output buffers for up to <see cref="Capacity"/> pairs, wrapped once per batch size in
/// <see cref="OrtValue"/>s over the same memory and bound once to an <see cref="OrtIoBinding"/>, so a run
/// allocates nothing whatever its size and, on CUDA, ORT copies straight between these buffers and the
/// device. Not thread-safe: one per inference lane. Fill slots <c>0..n-1</c> (<see cref="TemplateSlot"/>,
/// <see cref="ImageSlot"/>), call <see cref="Run(int)"/>, read <see cref="LayerMapsOf"/>.
/// </summary>
public sealed class StpmRunner : IDisposable
{
    private readonly StpmModel _model;
    private readonly int _side;
    private readonly byte[] _template;
    private readonly byte[] _image;
    private readonly float[] _maps;
    private readonly BoundRun?[] _bySize;
    private readonly RunOptions _runOptions = new();

    internal StpmRunner(StpmModel model, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _model = model;
        _side = model.Info.Input;
        Capacity = capacity;
        _template = GC.AllocateArray<byte>(capacity * TemplateLength, pinned: true);
        _image = GC.AllocateArray<byte>(capacity * ImageLength, pinned: true);
        _maps = GC.AllocateArray<float>(capacity * MapsLength, pinned: true);
        _bySize = new BoundRun?[capacity];
    }

    /// <summary>Most pairs one <see cref="Run(int)"/> takes.</summary>
    public int Capacity { get; }

    /// <summary>Gray template pixels of slot 0 (R×R row-major): the single-pair view.</summary>
    public Span<byte> Template => TemplateSlot(0);

    /// <summary>BGR image pixels of slot 0 (R×R×3 row-major, OpenCV's layout): the single-pair view.</summary>
    public Span<byte> Image => ImageSlot(0);

    /// <summary>d_1..d_3 of slot 0 after the last run, as three R×R planes.</summary>
    public ReadOnlySpan<float> LayerMaps => LayerMapsOf(0);

    private int TemplateLength => _side * _side;

    private int ImageLength => _side * _side * 3;

    private int MapsLength => 3 * _side * _side;

    /// <summary>Gray template pixels of pair <paramref name="slot"/>, R×R row-major.</summary>
    public Span<byte> TemplateSlot(int slot) => _template.AsSpan(slot * TemplateLength, TemplateLength);

    /// <summary>BGR image pixels of pair <paramref name="slot"/>, R×R×3 row-major.</summary>
    public Span<byte> ImageSlot(int slot) => _image.AsSpan(slot * ImageLength, ImageLength);

    /// <summary>The layer maps of pair <paramref name="slot"/> after the last run.</summary>
    public ReadOnlySpan<float> LayerMapsOf(int slot) => _maps.AsSpan(slot * MapsLength, MapsLength);

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

    private BoundRun Bind(int count)
    {
        OrtValue[] values =
        [
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _template.AsMemory(0, count * TemplateLength), [count, _side, _side, 1]),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _image.AsMemory(0, count * ImageLength), [count, _side, _side, 3]),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _maps.AsMemory(0, count * MapsLength), [count, 3, _side, _side]),
        ];
        var binding = _model.Session.CreateIoBinding();
        binding.BindInput(StpmModel.TemplateInput, values[0]);
        binding.BindInput(StpmModel.ImageInput, values[1]);
        binding.BindOutput(StpmModel.MapsOutput, values[2]);
        return new BoundRun(binding, values);
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
