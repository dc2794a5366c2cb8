using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Health;

/// <summary>Health log events, ids 5000–5099.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "Agent is {State}: {Problems}")]
    public static partial void Unhealthy(ILogger logger, string state, string problems);

    [LoggerMessage(5001, LogLevel.Information, "Agent is healthy again (was {Previous})")]
    public static partial void Recovered(ILogger logger, string previous);
}
