using EdgeAgent.Verdicts;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard.Review;

/// <summary>Review and decision log events, ids 7050–7069.</summary>
internal static partial class Log
{
    [LoggerMessage(7050, LogLevel.Information, "Decision on {VerdictId}: AI {AiVerdict} -> {Decision} by {By} ({Role})")]
    public static partial void Decided(ILogger logger, string verdictId, VerdictKind aiVerdict, VerdictKind decision, string by, string role);

    [LoggerMessage(7051, LogLevel.Error, "A decision on {VerdictId} was not stored: the journal cannot write; the person was told to try again")]
    public static partial void DecisionNotStored(ILogger logger, string verdictId, Exception exception);
}
