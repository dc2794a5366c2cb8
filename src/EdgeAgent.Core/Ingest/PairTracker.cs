namespace EdgeAgent.Ingest;

/// <summary>
/// Turns repeated folder scans into complete pairs. Pure state machine (no I/O except the injected
/// end-marker probe), so its timing rules are tested with a fake clock.
/// A pair is released once; files that vanish are forgotten, so memory follows the folder's content.
/// </summary>
public sealed class PairTracker(IngestOptions options, TimeProvider time, Func<string, bool> hasEndMarker)
{
    private readonly PairNaming _naming = new(options);
    private readonly TracePattern _trace = new(options.TracePattern);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _released = new(StringComparer.Ordinal);

    /// <summary>Files seen in the last scan whose name matched the rule.</summary>
    public int TrackedFiles => _files.Count;

    /// <summary>True when a file is still settling or an image waits for its template: scan again soon.</summary>
    public bool HasPending { get; private set; }

    /// <summary>
    /// Feeds one complete scan of <paramref name="watchedFolder"/> and returns the pairs that became ready.
    /// <paramref name="alreadyJudged"/> is asked once per new pair so a restart does not judge twice.
    /// </summary>
    public IReadOnlyList<PairCandidate> Observe(string watchedFolder, IEnumerable<FileObservation> scan, Func<string, bool> alreadyJudged)
    {
        var now = time.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Every image is a pair of its own; the template is shared by id, so an id written twice in one
        // folder (e.g. as .png and .bmp) gives two verdicts instead of one image silently never judged.
        var images = new List<(string Dir, string Id, FileState State)>();
        var templates = new Dictionary<(string Dir, string Id), FileState>();
        foreach (var file in scan)
        {
            var name = _naming.Parse(Path.GetFileName(file.Path));
            if (name is null)
            {
                continue;
            }

            seen.Add(file.Path);
            var state = Update(file, name, now);
            var key = (Path.GetDirectoryName(file.Path) ?? "", name.PairId);
            if (name.Role == PairRole.Image)
            {
                images.Add((key.Item1, key.PairId, state));
            }
            else if (!templates.TryGetValue(key, out var other) || (!other.Complete && state.Complete))
            {
                templates[key] = state;
            }
        }

        Forget(watchedFolder, seen);
        HasPending = _files.Values.Any(f => !f.Complete);
        var ready = new List<PairCandidate>();
        foreach (var (dir, id, image) in images)
        {
            if (!image.Complete || _released.Contains(image.PairKey))
            {
                continue;
            }

            var template = templates.GetValueOrDefault((dir, id));
            bool templateReady = template is { Complete: true };
            var product = ProductOf(watchedFolder, dir);
            if (!templateReady && !options.ProductsWithoutTemplates.Contains(product) && now - image.CompletedAt < options.TemplateWait)
            {
                HasPending = true;
                continue;
            }

            _released.Add(image.PairKey);
            if (!alreadyJudged(image.PairKey))
            {
                ready.Add(new PairCandidate(image.PairKey, id, product, watchedFolder,
                    image.Path, templateReady ? template!.Path : null, now, _trace.Read(id)));
            }
        }

        return ready;
    }

    private FileState Update(FileObservation file, PairFileName name, DateTimeOffset now)
    {
        if (!_files.TryGetValue(file.Path, out var state) || state.Length != file.Length || state.LastWriteUtc != file.LastWriteUtc)
        {
            state = new FileState(file.Path, file.Length, file.LastWriteUtc, now,
                name.Role == PairRole.Image ? PairKey.Of(file.Path, file.LastWriteUtc) : "");
            _files[file.Path] = state;
            return state;
        }

        if (!state.Complete && state.Length > 0 && now - state.StableSince >= options.SettleTime
            && (now - state.StableSince >= options.IncompleteTimeout || SafeHasEndMarker(file.Path)))
        {
            state.Complete = true;
            state.CompletedAt = now;
        }
        else if (!state.Complete && state.Length == 0 && now - state.StableSince >= options.IncompleteTimeout)
        {
            // An empty file that stays empty is judged (ERROR EMPTY_FILE) rather than waited on forever.
            state.Complete = true;
            state.CompletedAt = now;
        }

        return state;
    }

    private bool SafeHasEndMarker(string path)
    {
        try
        {
            return hasEndMarker(path);
        }
        catch (IOException)
        {
            return false; // vanished or unreadable right now; the next scan decides.
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void Forget(string watchedFolder, HashSet<string> seen)
    {
        var prefix = Path.EndsInDirectorySeparator(watchedFolder) ? watchedFolder : watchedFolder + Path.DirectorySeparatorChar;
        foreach (var path in _files.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && !seen.Contains(p)).ToList())
        {
            _released.Remove(_files[path].PairKey);
            _files.Remove(path);
        }
    }

    private string ProductOf(string watchedFolder, string dir)
    {
        var relative = Path.GetRelativePath(watchedFolder, dir);
        if (relative == ".")
        {
            return options.DefaultProduct;
        }

        int slash = relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return slash < 0 ? relative : relative[..slash];
    }

    private sealed class FileState(string path, long length, DateTime lastWriteUtc, DateTimeOffset stableSince, string pairKey)
    {
        public string Path { get; } = path;

        public long Length { get; } = length;

        public DateTime LastWriteUtc { get; } = lastWriteUtc;

        public DateTimeOffset StableSince { get; } = stableSince;

        public string PairKey { get; } = pairKey;

        public bool Complete { get; set; }

        public DateTimeOffset CompletedAt { get; set; }
    }
}
