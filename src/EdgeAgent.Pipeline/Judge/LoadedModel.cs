using System.Collections.Concurrent;
using EdgeAgent.Inference.Session;
using EdgeAgent.Verdicts;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// A model from the store, loaded and ready, with a pool of runners (pinned buffers) every inspector that uses
/// it borrows from. Swapping models must never pull a session from under a pair being judged, so the worker
/// holds a lease for the duration of one pair and a retired model is disposed when its last lease ends.
/// </summary>
public sealed class LoadedModel
{
    private readonly Lock _gate = new();
    private readonly ConcurrentBag<ModelRunner> _idleRunners = [];
    private int _leases;
    private bool _retired;
    private bool _disposed;
    private int _consecutiveInferenceFailures;

    /// <summary>Wraps a loaded <paramref name="model"/> stored as <paramref name="name"/> <paramref name="version"/>; runners take batches of up to <paramref name="maxBatch"/>.</summary>
    public LoadedModel(string name, string version, OnnxModel model, int maxBatch = 1, string? sha256 = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        Version = version;
        Model = model;
        MaxBatch = Math.Max(1, maxBatch);
        Identity = new ModelRef(name, version, sha256 ?? model.Info.Sha256, model.Provider);
    }

    /// <summary>The model's name in the store (what products route to).</summary>
    public string Name { get; }

    /// <summary>The store version, stamped on every verdict it judges.</summary>
    public string Version { get; }

    /// <summary>The ONNX Runtime session and the model's metadata.</summary>
    public OnnxModel Model { get; }

    /// <summary>Name, version, file hash and provider, as verdicts carry them.</summary>
    public ModelRef Identity { get; }

    /// <summary>Most pairs one run takes.</summary>
    public int MaxBatch { get; }

    /// <summary>Inference failures in a row; the activation service rolls a fresh model back when it keeps failing.</summary>
    public int ConsecutiveInferenceFailures => Volatile.Read(ref _consecutiveInferenceFailures);

    /// <summary>A runner for one batch on the caller's thread; give it back with <see cref="Return"/>.</summary>
    public ModelRunner Rent() => _idleRunners.TryTake(out var runner) ? runner : Model.CreateRunner(MaxBatch);

    /// <summary>Gives a runner back for the next batch (or disposes it when the model is gone).</summary>
    public void Return(ModelRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        lock (_gate)
        {
            if (_disposed)
            {
                runner.Dispose();
                return;
            }

            _idleRunners.Add(runner);
        }
    }

    /// <summary>A lease for one pair, or null when the model was retired meanwhile (ask the router again).</summary>
    public Lease? TryAcquire()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return null;
            }

            _leases++;
            return new Lease(this);
        }
    }

    /// <summary>Counts an inference outcome (true = the model ran); returns the consecutive failures it makes.</summary>
    public int RecordInference(bool succeeded)
    {
        if (succeeded)
        {
            Volatile.Write(ref _consecutiveInferenceFailures, 0);
            return 0;
        }

        return Interlocked.Increment(ref _consecutiveInferenceFailures);
    }

    /// <summary>No new leases; the session is disposed as soon as the pairs in flight (if any) finish.</summary>
    public void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            DisposeIfUnused();
        }
    }

    /// <summary>Frees the runners only; the session belongs to whoever loaded it (tools that wrap a model they dispose themselves).</summary>
    public void ReleaseRunners()
    {
        while (_idleRunners.TryTake(out var runner))
        {
            runner.Dispose();
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _leases--;
            DisposeIfUnused();
        }
    }

    private void DisposeIfUnused()
    {
        if (_retired && _leases == 0 && !_disposed)
        {
            _disposed = true;
            ReleaseRunners();
            Model.Dispose();
        }
    }

    /// <summary>Keeps the model alive while one pair is judged.</summary>
    public sealed class Lease(LoadedModel model) : IDisposable
    {
        private int _released;

        /// <summary>The leased model.</summary>
        public LoadedModel Model { get; } = model;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Model.Release();
            }
        }
    }
}
