using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Models.Transfer;

/// <summary>
/// What the box does with model commands that arrive over MQTT: a complete package goes through
/// <see cref="ModelActivation"/>, a rollback request through <see cref="ModelRollback"/>, and a transfer refused
/// before it was complete (checksum, size, malformed) is written to the audit trail too.
/// </summary>
public sealed class ModelCommands(ModelActivation activation, ModelRollback rollback, VerdictLog log, TimeProvider time) : IModelCommandHandler
{
    /// <summary>Reason code: the model has no earlier version that loads.</summary>
    public const string NothingToRollBackTo = "NOTHING_TO_ROLL_BACK_TO";

    /// <inheritdoc/>
    public Task<ModelCommandResult> InstallAsync(CompletedTransfer transfer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        return Task.Run(
            () =>
            {
                var result = activation.Install(transfer.PackagePath);
                return new ModelCommandResult(result.State, result.Reason, result.Detail, ModelOf(result.Name, result.Version));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ModelCommandResult> RollbackAsync(string name, string requestedBy, CancellationToken cancellationToken) => Task.Run(
        () => rollback.RollBack(name, requestedBy, "requested over MQTT") is { } restored
            ? new ModelCommandResult(ModelStates.RolledBack, null, $"{restored.Name} {restored.Version} is active again", ModelOf(restored.Name, restored.Version))
            : new ModelCommandResult(ModelStates.Failed, NothingToRollBackTo, $"model '{name}' has no earlier version that loads; the current one stays", null),
        cancellationToken);

    /// <inheritdoc/>
    public Task<ModelCommandResult> PromoteAsync(string product, string requestedBy, CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            var result = activation.PromoteShadow(product, requestedBy);
            return new ModelCommandResult(result.State, result.Reason, result.Detail, ModelOf(result.Name, result.Version));
        },
        cancellationToken);

    /// <inheritdoc/>
    public void TransferRejected(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var subject = status.TransferId is not null ? "transfer " + status.TransferId : (status.Command ?? "command") + " " + (status.RequestId ?? "?");
        log.RecordAudit(new AuditEntry(time.GetUtcNow(), "rejected", subject, null, null, null, $"{status.Reason}: {status.Detail}"));
    }

    /// <inheritdoc/>
    public void RefusalsSuppressed(int count, DateTimeOffset since) =>
        log.RecordAudit(new AuditEntry(time.GetUtcNow(), "rejected", "mqtt", null, null, null,
            $"SUPPRESSED: {count} more refused model commands since {since:o} (over Models:Transfer:MaxRefusalsAuditedPerMinute)"));

    private static StatusModel? ModelOf(string? name, string? version) => name is null || version is null ? null : new StatusModel(name, version);
}
