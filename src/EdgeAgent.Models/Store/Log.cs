using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Store;

/// <summary>Model store log events, ids 6000–6049.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Model {Name} {Version} installed (sha256 {Sha256}, key {KeyId})")]
    public static partial void Installed(ILogger logger, string name, string version, string sha256, string keyId);

    [LoggerMessage(6001, LogLevel.Information, "Model {Name} {Version} is already installed with the same model")]
    public static partial void AlreadyInstalled(ILogger logger, string name, string version);

    [LoggerMessage(6002, LogLevel.Information, "Model {Name} {Version} activated (was {Previous})")]
    public static partial void Activated(ILogger logger, string name, string version, string previous);

    [LoggerMessage(6003, LogLevel.Warning, "Model {Name} rolled back from {From} to {To}")]
    public static partial void RolledBack(ILogger logger, string name, string from, string to);

    [LoggerMessage(6004, LogLevel.Information, "Model {Name} {Version} pruned")]
    public static partial void Pruned(ILogger logger, string name, string version);

    [LoggerMessage(6005, LogLevel.Error, "Model store state {Path} is unreadable ({Reason}); rebuilt from {Count} model folders with no active version")]
    public static partial void StateRebuilt(ILogger logger, string path, string reason, int count);

    [LoggerMessage(6006, LogLevel.Warning, "Model version folder {Folder} is unreadable and ignored: {Reason}")]
    public static partial void VersionUnreadable(ILogger logger, string folder, string reason);

    [LoggerMessage(6007, LogLevel.Error, "Active model {Name} {Version} is no longer installed; no version of {Name} is active")]
    public static partial void ActiveMissing(ILogger logger, string name, string version);
}
