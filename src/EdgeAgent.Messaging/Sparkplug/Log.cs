using Microsoft.Extensions.Logging;

namespace EdgeAgent.Messaging.Sparkplug;

/// <summary>Sparkplug B edge node log events, ids 4200–4249.</summary>
internal static partial class Log
{
    [LoggerMessage(4200, LogLevel.Information, "Sparkplug B edge node {GroupId}/{EdgeNodeId} born on {Host}:{Port} (bdSeq {BdSeq})")]
    public static partial void Born(ILogger logger, string groupId, string edgeNodeId, string host, int port, long bdSeq);

    [LoggerMessage(4201, LogLevel.Warning, "Sparkplug B connect to {Host}:{Port} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(4202, LogLevel.Error, "Sparkplug B: the broker {Host}:{Port} refused the connection: {ResultCode}")]
    public static partial void ConnectRefused(ILogger logger, string host, int port, string resultCode);

    [LoggerMessage(4203, LogLevel.Warning, "Sparkplug B connection lost, reconnecting with a new bdSeq: {Reason}")]
    public static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(4204, LogLevel.Information, "Sparkplug B rebirth requested by NCMD; sending NBIRTH and DBIRTH again (bdSeq {BdSeq})")]
    public static partial void Rebirth(ILogger logger, long bdSeq);

    [LoggerMessage(4205, LogLevel.Warning, "Sparkplug B bdSeq {BdSeq} could not be saved to {Path} ({Reason}); a restart may repeat it")]
    public static partial void BdSeqNotSaved(ILogger logger, long bdSeq, string path, string reason);

    [LoggerMessage(4206, LogLevel.Error, "Sparkplug B: the broker refused the subscription to {Topic} ({ResultCode}); rebirth requests will not arrive (check the broker's ACL)")]
    public static partial void SubscribeRefused(ILogger logger, string topic, string resultCode);

    [LoggerMessage(4207, LogLevel.Warning, "Sparkplug B: reading the box's metrics failed; this report is skipped")]
    public static partial void ReadFailed(ILogger logger, Exception exception);
}
