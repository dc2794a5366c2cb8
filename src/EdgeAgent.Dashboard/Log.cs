using Microsoft.Extensions.Logging;

namespace EdgeAgent.Dashboard;

/// <summary>Dashboard log events, ids 7000–7099.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Dashboard listening on {Addresses} ({Access})")]
    public static partial void Listening(ILogger logger, string addresses, string access);

    [LoggerMessage(7001, LogLevel.Information, "Dashboard disabled (Dashboard:Enabled=false)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(7002, LogLevel.Error, "Dashboard cannot listen on {Urls}: {Reason}; the agent keeps judging without it")]
    public static partial void CannotListen(ILogger logger, string urls, string reason);

    [LoggerMessage(7003, LogLevel.Warning, "Dashboard request {Path} could not read the log: {Reason}")]
    public static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(7004, LogLevel.Error, "Dashboard request {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string path, Exception exception);
}
