using EdgeAgent.Host.Inspect;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Host.Models;

/// <summary>
/// Puts a model's previous version back in service: on request, and automatically when the active version
/// keeps failing at run time (<see cref="ActiveModels.KeepsFailing"/>, e.g. its execution provider broke).
/// The automatic rollback runs on the inspection worker's thread, so no further pair reaches the failing
/// model while the previous one loads.
/// </summary>
public sealed class ModelRollback
{
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly InferenceOptions _inference;
    private readonly InspectorFactory _factory;
    private readonly ILogger _logger;

    /// <summary>Watches <paramref name="active"/> for models that keep failing.</summary>
    public ModelRollback(ModelStore store, ActiveModels active, InferenceOptions inference, InspectorFactory factory, ILogger logger)
    {
        _store = store;
        _active = active;
        _inference = inference;
        _factory = factory;
        _logger = logger;
        active.KeepsFailing += failing =>
        {
            Log.KeepsFailing(logger, failing.Name, failing.Version, failing.ConsecutiveInferenceFailures);
            RollBack(failing.Name);
        };
    }

    /// <summary>Activates the version of <paramref name="name"/> that was active before the current one; null when there is none that loads.</summary>
    public StoredModel? RollBack(string name)
    {
        for (var previous = _store.Rollback(name); previous is not null; previous = _store.Rollback(name))
        {
            try
            {
                _active.Activate(ModelBootstrap.Load(previous, _inference, _factory, _logger));
                Log.RolledBack(_logger, name, previous.Version);
                return previous;
            }
            catch (ModelContractException e)
            {
                Log.ActiveVersionFailed(_logger, previous.Name, previous.Version, e.Message);
            }
        }

        Log.NothingToRollBackTo(_logger, name);
        return null;
    }
}
