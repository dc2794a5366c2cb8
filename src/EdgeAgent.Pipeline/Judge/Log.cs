using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Judge;

/// <summary>Judging log events, ids 2000–2099 (2002–2006 belong to the journal and retention).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Pair {PairId} ({Product}): {Outcome} score {Score:F4} reason {Reason}")]
    public static partial void Judged(ILogger logger, string pairId, string product, VerdictKind outcome, double score, string reason);

    [LoggerMessage(2001, LogLevel.Error, "Inspection of {ImagePath} failed unexpectedly; the pair goes to REVIEW")]
    public static partial void InspectionCrashed(ILogger logger, string imagePath, Exception exception);

    [LoggerMessage(2007, LogLevel.Error, "{ImagePath}: the agent stopped {Times} times while judging this pair; giving up on it (REVIEW CRASHED_WHILE_JUDGING)")]
    public static partial void GivenUp(ILogger logger, string imagePath, int times);

    [LoggerMessage(2008, LogLevel.Information, "Inspection on {Provider}: {Workers} prepare worker(s), {Lanes} inference lane(s) of {Threads} thread(s), batches of up to {MaxBatch}")]
    public static partial void Sized(ILogger logger, string provider, int workers, int lanes, int threads, int maxBatch);
}
