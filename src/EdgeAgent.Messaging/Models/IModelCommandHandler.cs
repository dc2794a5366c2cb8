namespace EdgeAgent.Messaging.Models;

/// <summary>
/// A package that arrived whole: size and SHA-256 as announced. Its signature is not checked yet, nor the
/// <paramref name="Downgrade"/> intent the end carried (if any).
/// </summary>
public sealed record CompletedTransfer(TransferBegin Begin, string PackagePath, CommandSignature? Downgrade = null);

/// <summary>
/// The final outcome of a command, published as the last status of its transfer or request. A command
/// <see cref="RefusedBeforeActing"/> (its signature refused) reached nothing that audits it: the listener audits it,
/// under its rate limit, since anyone can send one.
/// </summary>
public sealed record ModelCommandResult(string State, string? Reason, string? Detail, StatusModel? Model, bool RefusedBeforeActing = false);

/// <summary>What the box does with a complete package or a rollback request (verify, canary, activate; roll back).</summary>
public interface IModelCommandHandler
{
    /// <summary>Verifies and activates the package, or says why not. Runs off the MQTT receive loop; may take a while (canary).</summary>
    Task<ModelCommandResult> InstallAsync(CompletedTransfer transfer, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the previous version of model <paramref name="name"/> back in service when <paramref name="signature"/> is a
    /// trusted technician's, fresh and not seen before; else answers <c>rejected</c> with the reason, writing no audit row
    /// itself (the listener audits refusals under its rate limit). <paramref name="claimedBy"/> is the sender's unchecked claim.
    /// </summary>
    Task<ModelCommandResult> RollbackAsync(string name, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken);

    /// <summary>
    /// Promotes <paramref name="product"/>'s shadow through the canary and activation when <paramref name="signature"/>
    /// is a trusted technician's for it; the answer is <c>activated</c> or <c>rejected</c> with a reason.
    /// </summary>
    Task<ModelCommandResult> PromoteAsync(string product, string claimedBy, CommandSignature? signature, CancellationToken cancellationToken);

    /// <summary>Records a command the box refused before acting on it (size, checksum, malformed, busy, conflict); rate-limited by the caller.</summary>
    void TransferRejected(ModelStatus status);

    /// <summary>Records that <paramref name="count"/> refused commands since <paramref name="since"/> were not recorded one by one (rate limit).</summary>
    void RefusalsSuppressed(int count, DateTimeOffset since);
}
