using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Activation;
using EdgeAgent.Security;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;

namespace EdgeAgent.Models.Transfer;

/// <summary>
/// What the box does with model commands that arrive over MQTT: a complete package goes through
/// <see cref="ModelActivation"/>, a rollback request signed by a trusted technician (<see cref="CommandAuthenticator"/>)
/// through <see cref="ModelRollback"/>, a signed promotion through the activation's canary, and a command refused
/// before it acted (checksum, size, malformed, unsigned, replayed) is written to the audit trail too. The audit's actor
/// for a rollback or a promotion is the signer's key id; what a rollback's sender claimed to be is kept, clipped, in
/// the detail.
/// </summary>
public sealed class ModelCommands(ModelActivation activation, ModelRollback rollback, CommandAuthenticator commands, VerdictLog log, TimeProvider time) : IModelCommandHandler
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
                var result = activation.Install(transfer.PackagePath, transfer.Downgrade);
                return new ModelCommandResult(result.State, result.Reason, result.Detail, ModelOf(result.Name, result.Version));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ModelCommandResult> RollbackAsync(string name, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            var check = commands.Check(signature, SignedCommand.Rollback, name, null);
            if (!check.Accepted)
            {
                return Refused(check);
            }

            return rollback.RollBack(name, check.KeyId!, $"requested over MQTT ({check.Detail}; claimed '{claimedBy}')") is { } restored
                ? new ModelCommandResult(ModelStates.RolledBack, null, $"{restored.Name} {restored.Version} is active again", ModelOf(restored.Name, restored.Version))
                : new ModelCommandResult(ModelStates.Failed, NothingToRollBackTo, $"model '{ForeignText.Clip(name)}' has no earlier version that loads; the current one stays", null);
        },
        cancellationToken);

    /// <inheritdoc/>
    public Task<ModelCommandResult> PromoteAsync(string product, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            var check = commands.Check(signature, SignedCommand.Promote, product, null);
            if (!check.Accepted)
            {
                return Refused(check);
            }

            var result = activation.PromoteShadow(product, check.KeyId!);
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

    private static ModelCommandResult Refused(CommandCheck check) => new(ModelStates.Rejected, check.Reason, check.Detail, null, RefusedBeforeActing: true);

    private static StatusModel? ModelOf(string? name, string? version) => name is null || version is null ? null : new StatusModel(name, version);
}
