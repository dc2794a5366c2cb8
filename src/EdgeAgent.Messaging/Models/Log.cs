using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Models;

/// <summary>Model command log events, ids 4100–4149. Strings from the sender are clipped (<see cref="EdgeAgent.Security.ForeignText"/>) before they get here.</summary>
internal static partial class Log
{
    [LoggerMessage(4100, LogLevel.Information, "Model transfer {TransferId} begun: {FileName}, {Size} bytes in {Chunks} chunks, from {Sender}")]
    public static partial void Began(ILogger logger, string transferId, string fileName, long size, int chunks, string sender);

    [LoggerMessage(4101, LogLevel.Information, "Model transfer {TransferId} resumed with {Received}/{Total} chunks")]
    public static partial void Resumed(ILogger logger, string transferId, int received, int total);

    [LoggerMessage(4102, LogLevel.Information, "Model transfer {TransferId} left by the last run holds {Received}/{Total} chunks; a new begin resumes it")]
    public static partial void Resumable(ILogger logger, string transferId, int received, int total);

    [LoggerMessage(4103, LogLevel.Warning, "Model transfer {TransferId}: chunk '{Index}' of {Length} bytes does not fit the {Chunks}-chunk package; dropped (further bad chunks of this transfer are dropped silently)")]
    public static partial void BadChunk(ILogger logger, string transferId, string index, long length, int chunks);

    [LoggerMessage(4104, LogLevel.Error, "Model transfer {TransferId}: chunk {Index} could not be written: {Reason}")]
    public static partial void ChunkNotWritten(ILogger logger, string transferId, int index, string reason);

    [LoggerMessage(4105, LogLevel.Warning, "Model command {Command} ({Subject}) refused: {Reason} {Detail}")]
    public static partial void TransferRejected(ILogger logger, string command, string subject, string reason, string detail);

    [LoggerMessage(4106, LogLevel.Information, "Model transfer {TransferId} complete: {Size} bytes, checksum right; verifying the package")]
    public static partial void Assembled(ILogger logger, string transferId, long size);

    [LoggerMessage(4107, LogLevel.Warning, "Model transfer {TransferId} abandoned with {Received}/{Total} chunks: stale, deleted")]
    public static partial void Stale(ILogger logger, string transferId, int received, int total);

    [LoggerMessage(4108, LogLevel.Warning, "Model command on {Topic} ignored: {Reason}")]
    public static partial void CommandIgnored(ILogger logger, string topic, string reason);

    [LoggerMessage(4109, LogLevel.Error, "Model command {Command} failed unexpectedly; answered 'failed'")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string command);

    [LoggerMessage(4111, LogLevel.Warning, "Model transfer {TransferId} replaced by a begin with other contents after no chunk for the idle time; it held {Received}/{Total} chunks")]
    public static partial void Replaced(ILogger logger, string transferId, int received, int total);

    [LoggerMessage(4112, LogLevel.Warning, "Model transfer {TransferId} gave its slot to {NewTransferId}: no chunk for the idle time, {Received}/{Total} chunks held")]
    public static partial void Evicted(ILogger logger, string transferId, int received, int total, string newTransferId);

    [LoggerMessage(4113, LogLevel.Warning, "{Count} more refused model commands since {Since:o} were neither logged nor audited (Models:Transfer:MaxRefusalsAuditedPerMinute)")]
    public static partial void RefusalsSuppressed(ILogger logger, int count, DateTimeOffset since);

    [LoggerMessage(4110, LogLevel.Warning, "Model status for {Subject} ({State}) not delivered: broker unreachable")]
    public static partial void StatusNotDelivered(ILogger logger, string subject, string state);

    [LoggerMessage(4114, LogLevel.Warning, "Model transfer {TransferId} (unsigned) gave its slot to the signed push {NewTransferId}; {Received}/{Total} chunks held")]
    public static partial void Preempted(ILogger logger, string transferId, int received, int total, string newTransferId);
}
