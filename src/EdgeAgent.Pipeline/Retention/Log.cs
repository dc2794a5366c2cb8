using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Retention;

/// <summary>Retention log events, ids 2004–2006 (kept from the pipeline's 2000–2099 range).</summary>
internal static partial class Log
{
    [LoggerMessage(2004, LogLevel.Information, "Retention: {Archived} verdicts archived, {Forgotten} old pairs forgotten, months deleted [{Months}], {AuditPruned} audit rows pruned, {Bytes} bytes kept; collection after the pass paused {PauseMs:F0} ms")]
    public static partial void RetentionPass(ILogger logger, int archived, int forgotten, string months, int auditPruned, long bytes, double pauseMs);

    [LoggerMessage(2005, LogLevel.Warning, "Retention: {Bytes} bytes kept exceed Retention:MaxBytes {MaxBytes} (the current month and unpublished verdicts are never deleted)")]
    public static partial void OverBudget(ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(2006, LogLevel.Error, "Retention pass failed; retrying at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
