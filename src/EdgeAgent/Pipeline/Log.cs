using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Host.Pipeline;

/// <summary>Pipeline log events, ids 2000–2099.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Pair {PairId} ({Product}): {Outcome} score {Score:F4} reason {Reason}")]
    public static partial void Judged(ILogger logger, string pairId, string product, VerdictKind outcome, double score, string reason);

    [LoggerMessage(2001, LogLevel.Error, "Inspection of {ImagePath} failed unexpectedly; the pair goes to REVIEW")]
    public static partial void InspectionCrashed(ILogger logger, string imagePath, Exception exception);

    [LoggerMessage(2002, LogLevel.Error, "Storing {Count} verdicts failed; retrying in {DelaySeconds} s")]
    public static partial void StoreFailed(ILogger logger, int count, double delaySeconds, Exception exception);

    [LoggerMessage(2003, LogLevel.Warning, "Could not move {Path} to {Destination}; it stays where it is: {Reason}")]
    public static partial void MoveFailed(ILogger logger, string path, string destination, string reason);

    [LoggerMessage(2004, LogLevel.Information, "Retention: {Archived} verdicts archived, {Forgotten} old pairs forgotten, months deleted [{Months}], {Bytes} bytes kept; collection after the pass paused {PauseMs:F0} ms")]
    public static partial void RetentionPass(ILogger logger, int archived, int forgotten, string months, long bytes, double pauseMs);

    [LoggerMessage(2005, LogLevel.Warning, "Retention: {Bytes} bytes kept exceed Retention:MaxBytes {MaxBytes} (the current month and unpublished verdicts are never deleted)")]
    public static partial void OverBudget(ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(2006, LogLevel.Error, "Retention pass failed; retrying at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(2007, LogLevel.Error, "{ImagePath}: the agent stopped {Times} times while judging this pair; giving up on it (REVIEW CRASHED_WHILE_JUDGING)")]
    public static partial void GivenUp(ILogger logger, string imagePath, int times);

    [LoggerMessage(2008, LogLevel.Information, "Inspection on {Provider}: {Workers} prepare worker(s), {Lanes} inference lane(s) of {Threads} thread(s), batches of up to {MaxBatch}")]
    public static partial void Sized(ILogger logger, string provider, int workers, int lanes, int threads, int maxBatch);
}
