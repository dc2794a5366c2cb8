using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Publish;

/// <summary>Verdict publisher log events, ids 4050–4099.</summary>
internal static partial class Log
{
    [LoggerMessage(4050, LogLevel.Information, "Verdict {VerdictId} (seq {Seq}) stays in the outbox until the broker acknowledges it")]
    public static partial void Deferred(ILogger logger, string verdictId, long seq);

    [LoggerMessage(4051, LogLevel.Warning, "{Count} acknowledged verdict(s) or event(s) could not be marked published; they will be sent again with the same ids")]
    public static partial void MarkFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(4052, LogLevel.Information, "Event {EventId} stays in the outbox until the broker acknowledges it")]
    public static partial void EventDeferred(ILogger logger, string eventId);

    [LoggerMessage(4053, LogLevel.Information, "Decision {DecisionId} stays in the outbox until the broker acknowledges it")]
    public static partial void DecisionDeferred(ILogger logger, string decisionId);
}
