using System.Collections.Concurrent;
using EdgeAgent.Resilience;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline.Ingest;

/// <summary>
/// The FileSystemWatchers of the watched folders, reduced to hints: which files to look at sooner, and when the next
/// pass must be a full scan. A watcher misses network-share writes, overflows, and dies silently when its handler
/// throws, so its handlers do nothing but queue the path and wake ingest; the periodic full scan stays the truth.
/// </summary>
internal sealed class FolderWatchers(TimeProvider time, ILogger logger) : IDisposable
{
    // A watcher flood beyond this is not worth remembering path by path: the next pass is a full scan.
    private const int MaxQueuedHints = 10_000;

    private readonly WakeSignal _wake = new(time);
    private readonly ConcurrentQueue<WatcherHint> _hints = new();
    private readonly Dictionary<string, FileSystemWatcher> _watchers = [];
    private readonly HashSet<string> _unwatched = [];

    // The first pass of a run is a full scan.
    private int _fullScanRequested = 1;

    /// <summary>Whether a full scan was asked for since the last call (and clears the request).</summary>
    public bool TakeFullScanRequest() => Interlocked.Exchange(ref _fullScanRequested, 0) == 1;

    /// <summary>Makes the next pass a full scan, without waking ingest before its time.</summary>
    public void FullScanNextPass() => Interlocked.Exchange(ref _fullScanRequested, 1);

    /// <summary>The hints queued since the last call.</summary>
    public IEnumerable<WatcherHint> TakeHints()
    {
        while (_hints.TryDequeue(out var hint))
        {
            yield return hint;
        }
    }

    /// <summary>Forgets the queued hints: a full scan sees all of it.</summary>
    public void ClearHints() => _hints.Clear();

    /// <summary>Waits up to <paramref name="timeout"/>; true when a watcher woke ingest before it passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    /// <summary>Watches <paramref name="folder"/> if not yet watched; a watcher that cannot start is said once and left to the rescan.</summary>
    public void Ensure(string folder)
    {
        if (_watchers.ContainsKey(folder))
        {
            return;
        }

        var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, InternalBufferSize = 64 * 1024 };
        watcher.Created += (_, e) => Enqueue(folder, e.FullPath, renamed: false);
        watcher.Changed += (_, e) => Enqueue(folder, e.FullPath, renamed: false);
        watcher.Deleted += (_, e) => Enqueue(folder, e.FullPath, renamed: false);
        watcher.Renamed += (_, e) =>
        {
            Enqueue(folder, e.OldFullPath, renamed: false);
            Enqueue(folder, e.FullPath, renamed: true);
        };
        watcher.Error += (_, _) => RequestFullScan(); // overflow: a full scan catches up.
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

    /// <summary>Stops watching a folder that went away (its watcher would never fire again).</summary>
    public void Drop(string folder)
    {
        if (_watchers.Remove(folder, out var watcher))
        {
            watcher.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var watcher in _watchers.Values)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
    }

    // Watcher handlers: never throw (that silently kills the watcher), never block.
    private void Enqueue(string folder, string path, bool renamed)
    {
        if (_hints.Count >= MaxQueuedHints)
        {
            RequestFullScan();
            return;
        }

        _hints.Enqueue(new WatcherHint(folder, path, renamed));
        _wake.Set(); // never throws: safe in a watcher handler, also after a stop
    }

    private void RequestFullScan()
    {
        FullScanNextPass();
        _wake.Set();
    }
}

/// <summary>A file a watcher named; <see cref="Folder"/> is the watched folder it lies under.</summary>
internal sealed record WatcherHint(string Folder, string Path, bool RenamedIntoPlace);
