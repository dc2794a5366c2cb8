using System.IO.Enumeration;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Ingest;

/// <summary>
/// Finds complete pairs in the watched folders. A periodic full rescan is the source of truth; the
/// FileSystemWatcher is only a hint that makes the next scan happen now (it misses network-share writes,
/// overflows, and dies silently when its handler throws, so its handler does nothing but signal).
/// Pairs go to a bounded channel; when inspection falls behind, ingest waits (nothing is dropped, the
/// files simply stay on disk until there is room).
/// </summary>
public sealed class IngestService(
    IOptions<IngestOptions> options,
    ChannelWriter<PairCandidate> output,
    IPairJournal journal,
    EdgeAgent.Publish.OutboxGate outbox,
    TimeProvider time,
    ILogger<IngestService> logger) : BackgroundService
{
    private static readonly TimeSpan ScanSpacing = TimeSpan.FromMilliseconds(20);
    private readonly IngestOptions _options = options.Value;
    private readonly SemaphoreSlim _hint = new(0, 1);
    private readonly Dictionary<string, FileSystemWatcher> _watchers = [];
    private readonly HashSet<string> _unavailable = [];
    private readonly HashSet<string> _unwatched = [];
    private bool _paused;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tracker = new PairTracker(_options, time, FileCompleteness.HasEndMarker);
        var folders = _options.Folders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToList();
        Log.Watching(logger, string.Join(", ", folders));
        var unfinished = journal.Unfinished();
        if (unfinished.Count > 0)
        {
            Log.Resuming(logger, unfinished.Count);
        }

        foreach (var pair in unfinished)
        {
            await output.WriteAsync(pair, stoppingToken).ConfigureAwait(false);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            if (outbox.IsFull)
            {
                // Nothing is taken from the AOI folders until the broker has caught up; no pair is dropped.
                if (!_paused)
                {
                    Log.PausedForOutbox(logger, outbox.Backlog, outbox.Limit);
                    _paused = true;
                }

                await Task.Delay(_options.RescanInterval, time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (_paused)
            {
                Log.ResumedAfterOutbox(logger, outbox.Backlog);
                _paused = false;
            }

            foreach (var folder in folders)
            {
                var scan = Scan(folder);
                if (scan is null)
                {
                    continue;
                }

                foreach (var pair in tracker.Observe(folder, scan, journal.IsKnown))
                {
                    // Journal first: from here on the pair cannot be lost, whatever happens to this process.
                    var seen = pair with { VerdictId = await RecordSeenAsync(pair, stoppingToken).ConfigureAwait(false) };
                    await output.WriteAsync(seen, stoppingToken).ConfigureAwait(false);
                }
            }

            await Task.Delay(ScanSpacing, time, stoppingToken).ConfigureAwait(false);
            await _hint.WaitAsync(tracker.HasPending ? _options.SettleTime : _options.RescanInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    // A full disk or an I/O error must not crash ingest (the pair is already released by the tracker):
    // wait and retry, which also holds back every later pair until the journal can write again.
    private async Task<string> RecordSeenAsync(PairCandidate pair, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return journal.RecordSeen(pair);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.JournalWriteFailed(logger, pair.ImagePath, delay.TotalSeconds, e);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
            }
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var watcher in _watchers.Values)
        {
            watcher.Dispose();
        }

        _hint.Dispose();
        base.Dispose();
    }

    private List<FileObservation>? Scan(string folder)
    {
        try
        {
            var entries = new FileSystemEnumerable<FileObservation>(
                folder,
                (ref FileSystemEntry e) => new FileObservation(e.ToFullPath(), e.Length, e.LastWriteTimeUtc.UtcDateTime),
                new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
                ShouldRecursePredicate = (ref FileSystemEntry e) => !IsOwnFolder(folder, ref e),
            };
            var files = entries.ToList();
            EnsureWatcher(folder);
            if (_unavailable.Remove(folder))
            {
                Log.FolderBack(logger, folder);
            }

            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable folder (unmounted share, permissions) is retried every rescan.
            if (_unavailable.Add(folder))
            {
                Log.FolderUnavailable(logger, folder, e.Message);
            }

            DropWatcher(folder);
            return null;
        }
    }

    private static bool IsOwnFolder(string root, ref FileSystemEntry entry) =>
        entry.Directory.Length == root.Length && PairNaming.OwnFolders.Contains(entry.FileName.ToString());

    private void EnsureWatcher(string folder)
    {
        if (_watchers.ContainsKey(folder))
        {
            return;
        }

        var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, InternalBufferSize = 64 * 1024 };
        watcher.Created += (_, _) => Hint();
        watcher.Changed += (_, _) => Hint();
        watcher.Renamed += (_, _) => Hint();
        watcher.Error += (_, _) => Hint(); // overflow: the rescan that follows catches up.
        try
        {
            watcher.EnableRaisingEvents = true;
            _watchers[folder] = watcher;
            _unwatched.Remove(folder);
        }
        catch (IOException e)
        {
            // E.g. the per-user inotify limit: the periodic rescan still finds every pair, only later.
            watcher.Dispose();
            if (_unwatched.Add(folder))
            {
                Log.WatcherUnavailable(logger, folder, e.Message);
            }
        }
    }

    private void DropWatcher(string folder)
    {
        if (_watchers.Remove(folder, out var watcher))
        {
            watcher.Dispose();
        }
    }

    private void Hint()
    {
        try
        {
            if (_hint.CurrentCount == 0)
            {
                _hint.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Never let a watcher handler throw: that silently kills the watcher.
        }
    }
}
