using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Health;

/// <summary>Health log events, ids 5000–5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "Agent is {State}: {Problems}")]
    public static partial void Unhealthy(ILogger logger, string state, string problems);

    [LoggerMessage(5001, LogLevel.Information, "Agent is healthy again (was {Previous})")]
    public static partial void Recovered(ILogger logger, string previous);

    [LoggerMessage(5002, LogLevel.Information, "Shadow {Model} {Version} on {Product}: agree {Agree}, OK->NG {OkToNg}, NG->OK {NgToOk}, undecided {Undecided}, skipped {Skipped} (line busy)")]
    public static partial void Shadow(ILogger logger, string product, string model, string version, long agree, long okToNg, long ngToOk, long undecided, long skipped);

    [LoggerMessage(5003, LogLevel.Warning, "Heartbeat without today's KPIs and review queue: {Reason}")]
    public static partial void KpisUnreadable(ILogger logger, string reason);
}
