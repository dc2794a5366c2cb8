using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Activation;

/// <summary>
/// Puts a model's previous version back in service: on request, and automatically when the active version
/// keeps failing at run time (<see cref="ActiveModels.KeepsFailing"/>, e.g. its execution provider broke).
/// The automatic rollback runs on the inspection worker's thread, so no further pair reaches the failing
/// model while the previous one loads. Every rollback goes to the audit trail with who asked for it.
/// </summary>
public sealed class ModelRollback
{
    private readonly ModelStore _store;
    private readonly ActiveModels _active;
    private readonly InferenceOptions _inference;
    private readonly InspectorFactory _factory;
    private readonly VerdictLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Rolls back models of <paramref name="active"/>; <see cref="RollBackFailing"/> is wired to its failures at start.</summary>
    public ModelRollback(ModelStore store, ActiveModels active, InferenceOptions inference, InspectorFactory factory, VerdictLog log, TimeProvider time, ILogger logger)
    {
        _store = store;
        _active = active;
        _inference = inference;
        _factory = factory;
        _log = log;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The automatic rollback, for <see cref="ActiveModels.KeepsFailing"/>: it runs on the inspection worker's
    /// thread, so no further pair reaches the failing model while the previous one loads.
    /// </summary>
    public void RollBackFailing(LoadedModel failing)
    {
        ArgumentNullException.ThrowIfNull(failing);
        Log.KeepsFailing(_logger, failing.Name, failing.Version, failing.ConsecutiveInferenceFailures);
        RollBack(failing.Name, AutomaticActor, $"{failing.ConsecutiveInferenceFailures} inference failures in a row on {failing.Version}");
    }

    /// <summary>The audit trail's actor for rollbacks the box decided itself.</summary>
    public const string AutomaticActor = "auto-rollback";

    /// <summary>
    /// Activates the version of <paramref name="name"/> that was active before the current one, on behalf of
    /// <paramref name="actor"/>; null when there is none that loads.
    /// </summary>
    public StoredModel? RollBack(string name, string actor, string why)
    {
        lock (_active.SwitchGate)
        {
            var from = _store.Active(name);
            for (var previous = _store.Rollback(name); previous is not null; previous = _store.Rollback(name))
            {
                try
                {
                    _active.Activate(ModelBootstrap.Load(previous, _inference, _factory, _logger));
                    Log.RolledBack(_logger, name, previous.Version);
                    Audit("rolled-back", actor, previous, $"from {from?.Version ?? "none"}: {why}");
                    return previous;
                }
                catch (ModelContractException e)
                {
                    Log.ActiveVersionFailed(_logger, previous.Name, previous.Version, e.Message);
                }
            }

            Log.NothingToRollBackTo(_logger, name);
            _log.RecordAudit(new AuditEntry(_time.GetUtcNow(), "rollback-failed", actor, name, from?.Version, from?.Sha256, $"no earlier version that loads: {why}"));
            return null;
        }
    }

    private void Audit(string action, string actor, StoredModel model, string detail) =>
        _log.RecordAudit(new AuditEntry(_time.GetUtcNow(), action, actor, model.Name, model.Version, model.Sha256, detail));
}
