using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Models.Store;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Pipeline.Prepare;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Models.Activation;

/// <summary>
/// Puts the models in service when the host starts, before any other stage: loads every routed model's active
/// version (ONNX sessions) into the routing table, checks each product's overrides against its model, records
/// changed thresholds and refused combinations or shadows in the audit trail, and wires the automatic rollback to the models' failures. A model or
/// product setting that cannot work stops the start here, with one message (exit 78).
/// </summary>
public sealed class ModelStartup(
    ActiveModels active,
    ModelStore store,
    InspectorFactory factory,
    ModelRollback rollback,
    VerdictLog log,
    IOptions<InferenceOptions> inference,
    TimeProvider time,
    ILogger<OnnxModel> logger) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var refusals = ModelBootstrap.LoadInto(active, store, ModelPaths.Resolve(inference.Value.Path), inference.Value, factory, logger);
        foreach (var refusal in refusals)
        {
            log.RecordAudit(new AuditEntry(time.GetUtcNow(), "refused", "config", null, null, null, $"{refusal.Reason}: {refusal.What}: {refusal.Detail}", refusal.Product));
        }

        foreach (var model in active.Snapshot().Values.Where(m => m.Model.Info.Kind == ModelKind.Stpm))
        {
            CheckProducts(factory.Products.Where(p => active.RouteOf(p.Key).Models.Contains(model.Name)), model.Model);
        }

        // Thresholds are checked against the models above; a changed one goes to the audit trail before the first pair.
        ThresholdAudit.RecordChanges(log, factory.Products, time);
        active.KeepsFailing += rollback.RollBackFailing;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every product's overrides must apply to <paramref name="model"/>'s scoring; a malformed one stops the start.</summary>
    private static void CheckProducts(IEnumerable<KeyValuePair<string, ProductSettings>> products, OnnxModel model)
    {
        foreach (var (name, settings) in products)
        {
            try
            {
                settings.Apply(model.Info.StpmScoring);
            }
            catch (FormatException e)
            {
                throw new OptionsValidationException(ProductSettings.Section, typeof(ProductSettings), [$"Products:{name}: {e.Message}"]);
            }
        }
    }
}
