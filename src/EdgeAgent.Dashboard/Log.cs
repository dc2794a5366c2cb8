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

    [LoggerMessage(7005, LogLevel.Warning, "Dashboard audit row {Action} by {Actor} could not be written: {Reason}")]
    public static partial void AuditFailed(ILogger logger, string action, string actor, string reason);

    [LoggerMessage(7006, LogLevel.Warning, "Dashboard users file {Path} cannot be read ({Reason}); the accounts read before stay in use")]
    public static partial void UsersFileUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(7007, LogLevel.Warning, "Dashboard refuses connections from {Address}: it already holds {Quota} (Dashboard:MaxConnectionsPerAddress)")]
    public static partial void ConnectionQuotaReached(ILogger logger, string address, int quota);
}
