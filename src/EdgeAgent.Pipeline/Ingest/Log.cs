using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Ingest;

/// <summary>Ingest log events, ids 1000–1099 (and 2003, kept from when moving processed files was a pipeline event).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Watching AOI folders: {Folders}")]
    public static partial void Watching(ILogger logger, string folders);

    [LoggerMessage(1001, LogLevel.Warning, "AOI folder {Folder} is unavailable, retrying every rescan: {Reason}")]
    public static partial void FolderUnavailable(ILogger logger, string folder, string reason);

    [LoggerMessage(1002, LogLevel.Information, "AOI folder {Folder} is available again")]
    public static partial void FolderBack(ILogger logger, string folder);

    [LoggerMessage(1003, LogLevel.Warning, "No file watcher on {Folder}, relying on the periodic rescan: {Reason}")]
    public static partial void WatcherUnavailable(ILogger logger, string folder, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Resuming {Count} pairs that were seen but not judged before the last stop")]
    public static partial void Resuming(ILogger logger, int count);

    [LoggerMessage(1005, LogLevel.Warning, "Ingest paused: {Backlog} verdicts wait for the broker (limit {Limit}); new pairs stay in the AOI folders")]
    public static partial void PausedForOutbox(ILogger logger, long backlog, int limit);

    [LoggerMessage(1006, LogLevel.Information, "Ingest resumed: the outbox is down to {Backlog} verdicts")]
    public static partial void ResumedAfterOutbox(ILogger logger, long backlog);

    [LoggerMessage(1007, LogLevel.Error, "Cannot journal {ImagePath} (and {Count} pairs with it); ingest waits and retries in {DelaySeconds} s")]
    public static partial void JournalWriteFailed(ILogger logger, string imagePath, int count, double delaySeconds, Exception exception);

    [LoggerMessage(1008, LogLevel.Debug, "Pair {ImagePath} journaled as seen, verdict id {VerdictId}")]
    public static partial void Seen(ILogger logger, string imagePath, string verdictId);

    [LoggerMessage(1009, LogLevel.Warning, "{Path}: the file name is not UTF-8 and cannot be opened by it; the pair is judged ERROR UNREADABLE_NAME")]
    public static partial void UnreadableName(ILogger logger, string path);

    [LoggerMessage(1010, LogLevel.Warning, "{Path}: the name is not UTF-8 and cannot be opened by it; skipped (a template or folder of such a name is never read)")]
    public static partial void UnreadableNameSkipped(ILogger logger, string path);

    [LoggerMessage(1011, LogLevel.Warning, "{Path} is a symbolic link out of the watched folder (or to a folder) and is not followed (Ingest:FollowSymlinks is off)")]
    public static partial void LinkNotFollowed(ILogger logger, string path);

    [LoggerMessage(1012, LogLevel.Error, "The rescan of {Folder} stopped short, so some pairs are never judged; health reads stalled: {Reason}")]
    public static partial void ScanIncomplete(ILogger logger, string folder, string reason);

    [LoggerMessage(2003, LogLevel.Warning, "Could not move {Path} to {Destination}; it stays where it is: {Reason}")]
    public static partial void MoveFailed(ILogger logger, string path, string destination, string reason);
}
