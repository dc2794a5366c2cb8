using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Connection;

/// <summary>MQTT connection log events, ids 4000–4049.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "MQTT connected to {Host}:{Port} as {ClientId}")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId);

    [LoggerMessage(4001, LogLevel.Warning, "MQTT connect to {Host}:{Port} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(4002, LogLevel.Error, "MQTT broker {Host}:{Port} refused the connection: {ResultCode}")]
    public static partial void ConnectRefused(ILogger logger, string host, int port, string resultCode);

    [LoggerMessage(4003, LogLevel.Warning, "MQTT ping failed, reconnecting: {Reason}")]
    public static partial void PingFailed(ILogger logger, string reason);

    [LoggerMessage(4004, LogLevel.Warning, "MQTT publish to {Topic} not acknowledged ({Kind}: {Reason}); reconnecting")]
    public static partial void PublishFailed(ILogger logger, string topic, string kind, string reason);

    [LoggerMessage(4005, LogLevel.Warning, "MQTT subscribe failed, reconnecting: {Reason}")]
    public static partial void SubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(4006, LogLevel.Error, "MQTT broker refused the subscription to {TopicFilter}: {ResultCode}; commands on it will not arrive (check the broker's ACL)")]
    public static partial void SubscribeRefused(ILogger logger, string topicFilter, string resultCode);
}
