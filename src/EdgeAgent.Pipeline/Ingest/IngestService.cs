using System.Threading.Channels;
using EdgeAgent.Ingest;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Pipeline.Ingest;

/// <summary>
/// Finds complete pairs in the watched folders. A periodic full rescan is the source of truth; the
/// watchers (<see cref="FolderWatchers"/>) only name files to look at sooner. Between full
/// scans only the hinted files and those still settling are looked at, so a hint costs the same in a
/// folder of ten files or of a hundred thousand.
/// Pairs go to a bounded channel; when inspection falls behind, ingest waits (nothing is dropped, the
/// files simply stay on disk until there is room).
/// </summary>
public sealed class IngestService(
    IOptions<IngestOptions> options,
    ChannelWriter<PairCandidate> output,
    IPairJournal journal,
    ProcessedFiles processedFiles,
    EdgeAgent.Publish.OutboxGate outbox,
    PipelineProgress progress,
    TimeProvider time,
    ILogger<IngestService> logger) : BackgroundService
{
    // After a hint, a moment for the other files of the same write (the pair's second file) to arrive:
    // one pass and one journal write for both, at a millisecond of latency.
    private static readonly TimeSpan HintCoalescing = TimeSpan.FromMilliseconds(1);

    private readonly IngestOptions _options = options.Value;
    private readonly FolderWatchers _watchers = new(time, logger);

    // A local disk has one writer: no jitter needed, only the one-second-to-a-minute backoff.
    private readonly Backoff _journalRetry = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), time);
    private readonly HashSet<string> _unavailable = [];

    // Each said once per run (the verdict, where there is one, is in the journal): a rescan every few seconds must not repeat them.
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _incomplete = [];
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

        var nextFullScan = time.GetUtcNow();
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

            var ready = new List<PairCandidate>();
            if (_watchers.TakeFullScanRequest() || time.GetUtcNow() >= nextFullScan)
            {
                _watchers.ClearHints(); // the full scan sees all of it
                progress.ScanStarted();
                string? incomplete = null;
                foreach (var folder in folders)
                {
                    if (Scan(folder) is { } scan)
                    {
                        ready.AddRange(tracker.Observe(folder, scan.Files, AlreadyJudged));
                        ready.AddRange(Unreadable(tracker, folder, scan.UnreadableNames));
                        incomplete ??= scan.Incomplete is { } reason ? $"{folder}: {reason}" : null;
                    }
                }

                progress.ScanFinished(incomplete);

                nextFullScan = time.GetUtcNow() + _options.RescanInterval;
            }
            else
            {
                ready.AddRange(ObserveHinted(tracker));
            }

            if (ready.Count > 0)
            {
                // Journal first: from here on the pair cannot be lost, whatever happens to this process.
                var ids = await RecordSeenAsync(ready, stoppingToken).ConfigureAwait(false);
                for (var i = 0; i < ready.Count; i++)
                {
                    Log.Seen(logger, ready[i].ImagePath, ids[i]);
                    await output.WriteAsync(ready[i] with { VerdictId = ids[i] }, stoppingToken).ConfigureAwait(false);
                }
            }

            var untilFullScan = nextFullScan - time.GetUtcNow();
            var wait = tracker.HasPending && _options.SettleTime < untilFullScan ? _options.SettleTime : untilFullScan;
            if (await _watchers.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken).ConfigureAwait(false))
            {
                await Task.Delay(HintCoalescing, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    // The hinted files and those still settling, as they are now; a hinted folder (moved in whole) or a
    // hinted file that cannot be looked at makes the next pass a full scan. A link is left to the full scan: it alone applies
    // Ingest:FollowSymlinks.
    private List<PairCandidate> ObserveHinted(PairTracker tracker)
    {
        var paths = new Dictionary<string, WatcherHint>(StringComparer.Ordinal);
        foreach (var (folder, path) in tracker.UnsettledFiles)
        {
            paths[path] = new WatcherHint(folder, path, RenamedIntoPlace: false);
        }

        foreach (var hint in _watchers.TakeHints())
        {
            if (!paths.TryGetValue(hint.Path, out var known) || !known.RenamedIntoPlace)
            {
                paths[hint.Path] = hint;
            }
        }

        var ready = new List<PairCandidate>();
        foreach (var folder in paths.Values.GroupBy(h => h.Folder))
        {
            var changed = new List<FileObservation>();
            var vanished = new List<string>();
            foreach (var hint in folder.Where(h => !IsInOwnFolder(folder.Key, h.Path)))
            {
                try
                {
                    var info = new FileInfo(hint.Path);
                    if (FolderScan.IsLink(info))
                    {
                        continue;
                    }

                    if (info.Exists)
                    {
                        changed.Add(new FileObservation(hint.Path, info.Length, info.LastWriteTimeUtc, hint.RenamedIntoPlace));
                    }
                    else if (Directory.Exists(hint.Path))
                    {
                        _watchers.FullScanNextPass();
                    }
                    else
                    {
                        vanished.Add(hint.Path);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _watchers.FullScanNextPass();
                }
            }

            ready.AddRange(tracker.ObserveChanges(folder.Key, changed, vanished, AlreadyJudged));
        }

        return ready;
    }

    // A file whose name is not UTF-8 cannot be opened by the string .NET gives for it (see UnreadableNames), so it never
    // settles in the tracker; an image is released at once and judged ERROR UNREADABLE_NAME, anything else is logged once.
    private List<PairCandidate> Unreadable(PairTracker tracker, string folder, List<string> paths)
    {
        var ready = new List<PairCandidate>();
        foreach (var path in paths)
        {
            if (tracker.UnreadableImage(folder, path) is not { } pair)
            {
                if (_reported.Add(path))
                {
                    Log.UnreadableNameSkipped(logger, path);
                }
            }
            else if (!journal.IsKnown(pair.Key))
            {
                Log.UnreadableName(logger, path);
                ready.Add(pair);
            }
        }

        return ready;
    }

    // A pair the journal knows is not judged again. With AfterProcessing=Move, one whose verdict is stored but whose files
    // are in the watched folder again (the agent stopped between storing and moving, or a power cut undid the move) is
    // moved now, by its stored verdict; one only seen is moved once the resumed pair is judged.
    private bool AlreadyJudged(PairCandidate pair)
    {
        if (!journal.IsKnown(pair.Key))
        {
            return false;
        }

        if (_options.AfterProcessing == AfterProcessing.Move && journal.JudgedOutcome(pair.Key) is { } outcome)
        {
            processedFiles.Apply(pair, outcome);
        }

        return true;
    }

    // A full disk or an I/O error must not crash ingest (the pairs are already released by the tracker):
    // wait and retry, which also holds back every later pair until the journal can write again.
    private Task<IReadOnlyList<string>> RecordSeenAsync(IReadOnlyList<PairCandidate> pairs, CancellationToken stoppingToken) =>
        _journalRetry.RetryAsync(
            () => journal.RecordSeen(pairs),
            e => e is IOException or UnauthorizedAccessException,
            (e, delay) => Log.JournalWriteFailed(logger, pairs[0].ImagePath, pairs.Count, delay.TotalSeconds, e),
            stoppingToken);

    /// <inheritdoc/>
    public override void Dispose()
    {
        _watchers.Dispose();
        base.Dispose();
    }

    private FolderScan? Scan(string folder)
    {
        try
        {
            var scan = FolderScan.Run(_options, folder);
            _watchers.Ensure(folder);
            if (_unavailable.Remove(folder))
            {
                Log.FolderBack(logger, folder);
            }

            foreach (var link in scan.LinksNotFollowed.Where(_reported.Add))
            {
                Log.LinkNotFollowed(logger, link);
            }

            // Once per episode: the health state says "stalled" for as long as it lasts.
            if (scan.Incomplete is null)
            {
                _incomplete.Remove(folder);
            }
            else if (_incomplete.Add(folder))
            {
                Log.ScanIncomplete(logger, folder, scan.Incomplete);
            }

            return scan;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable folder (unmounted share, permissions) is retried every rescan.
            if (_unavailable.Add(folder))
            {
                Log.FolderUnavailable(logger, folder, e.Message);
            }

            _watchers.Drop(folder);
            return null;
        }
    }

    private static bool IsInOwnFolder(string root, string path) =>
        PairNaming.TopFolder(root, Path.GetDirectoryName(path) ?? root) is { } top && PairNaming.OwnFolders.Contains(top);
}
