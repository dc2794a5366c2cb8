using EdgeAgent.Inference.Session;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>
/// A model from the store, loaded and ready, with the inspector the inspection worker judges with.
/// Swapping models must never pull a session from under a pair being judged, so the worker holds a lease
/// for the duration of one pair and a retired model is disposed when its last lease ends.
/// </summary>
public sealed class LoadedModel
{
    private readonly Lock _gate = new();
    private int _leases;
    private bool _retired;
    private bool _disposed;
    private int _consecutiveInferenceFailures;

    /// <summary>Wraps a loaded <paramref name="model"/> stored as <paramref name="name"/> <paramref name="version"/>.</summary>
    public LoadedModel(string name, string version, StpmModel model, PairInspector inspector)
    {
        Name = name;
        Version = version;
        Model = model;
        Inspector = inspector;
    }

    /// <summary>The model's name in the store (what products route to).</summary>
    public string Name { get; }

    /// <summary>The store version, stamped on every verdict it judges.</summary>
    public string Version { get; }

    /// <summary>The ONNX Runtime session and the model's metadata.</summary>
    public StpmModel Model { get; }

    /// <summary>
    /// The inspector bound to this model. Its Prepare runs on every prepare worker and its Judge on every
    /// inference lane at once (each call takes its own runner buffers), so one inspector serves the whole pipeline.
    /// </summary>
    public PairInspector Inspector { get; }

    /// <summary>Inference failures in a row; the activation service rolls a fresh model back when it keeps failing.</summary>
    public int ConsecutiveInferenceFailures => Volatile.Read(ref _consecutiveInferenceFailures);

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

    /// <summary>No new leases; the session is disposed as soon as the pair in flight (if any) finishes.</summary>
    public void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            DisposeIfUnused();
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
            Inspector.Dispose();
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
