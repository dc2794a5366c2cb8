namespace EdgeAgent.Ingest;

/// <summary>
/// Turns file observations into complete pairs. Pure state machine (no I/O except the injected end-marker
/// probe), so its timing rules are tested with a fake clock. Fed two ways: a full scan of a watched folder
/// (<see cref="Observe"/>: the truth, files not in it are forgotten) and the few files a watcher hinted at
/// (<see cref="ObserveChanges"/>), so the cost of a hint does not grow with the folder. Only the groups
/// (same folder, same pair id) that changed or still wait on something are looked at again.
/// A pair is released once; files that vanish are forgotten, so memory follows the folders' content.
/// </summary>
public sealed class PairTracker(IngestOptions options, TimeProvider time, Func<string, bool> hasEndMarker)
{
    private readonly PairNaming _naming = new(options);
    private readonly TracePattern _trace = new(options.TracePattern);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Dir, string Id), PairGroup> _groups = [];

    // Groups with a file still settling or an image waiting for its template: time alone can change them.
    private readonly HashSet<PairGroup> _waiting = [];

    /// <summary>Files seen whose name matched the rule.</summary>
    public int TrackedFiles => _files.Count;

    /// <summary>True when a file is still settling or an image waits for its template: look again soon.</summary>
    public bool HasPending => _waiting.Count > 0;

    /// <summary>Files not yet complete, with their watched folder: between full scans they must be looked at again to see them settle.</summary>
    public IReadOnlyList<(string WatchedFolder, string Path)> UnsettledFiles =>
        [.. _waiting.SelectMany(g => g.Files.Where(f => !f.Complete).Select(f => (g.WatchedFolder, f.Path)))];

    /// <summary>
    /// Feeds one complete scan of <paramref name="watchedFolder"/> and returns the pairs that became ready.
    /// <paramref name="alreadyJudged"/> is asked once per new pair so a restart does not judge twice.
    /// </summary>
    public IReadOnlyList<PairCandidate> Observe(string watchedFolder, IEnumerable<FileObservation> scan, Func<PairCandidate, bool> alreadyJudged)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var touched = Apply(watchedFolder, scan, seen);
        var prefix = Path.EndsInDirectorySeparator(watchedFolder) ? watchedFolder : watchedFolder + Path.DirectorySeparatorChar;
        foreach (var path in _files.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && !seen.Contains(p)).ToList())
        {
            Forget(path);
        }

        return Release(touched, alreadyJudged);
    }

    /// <summary>
    /// Feeds what a few files under <paramref name="watchedFolder"/> look like now (<paramref name="changed"/>)
    /// and which are gone (<paramref name="vanished"/>); every other file is taken as it was.
    /// </summary>
    public IReadOnlyList<PairCandidate> ObserveChanges(string watchedFolder, IEnumerable<FileObservation> changed, IEnumerable<string> vanished, Func<PairCandidate, bool> alreadyJudged)
    {
        ArgumentNullException.ThrowIfNull(vanished);
        foreach (var path in vanished)
        {
            Forget(path);
        }

        return Release(Apply(watchedFolder, changed, seen: null), alreadyJudged);
    }

    private HashSet<PairGroup> Apply(string watchedFolder, IEnumerable<FileObservation> files, HashSet<string>? seen)
    {
        var now = time.GetUtcNow();
        var touched = new HashSet<PairGroup>();
        foreach (var file in files)
        {
            if (_files.TryGetValue(file.Path, out var known) && known.Complete && known.Length == file.Length && known.LastWriteUtc == file.LastWriteUtc)
            {
                seen?.Add(file.Path); // the common case of a full scan: nothing new about this file
                continue;
            }

            var name = _naming.Parse(Path.GetFileName(file.Path));
            if (name is null)
            {
                continue;
            }

            seen?.Add(file.Path);
            touched.Add(Update(watchedFolder, file, name, now));
        }

        return touched;
    }

    private PairGroup Update(string watchedFolder, FileObservation file, PairFileName name, DateTimeOffset now)
    {
        if (!_files.TryGetValue(file.Path, out var state) || state.Length != file.Length || state.LastWriteUtc != file.LastWriteUtc)
        {
            if (state is not null)
            {
                state.Group.Remove(state);
            }

            var key = (Path.GetDirectoryName(file.Path) ?? "", name.PairId);
            if (!_groups.TryGetValue(key, out var group))
            {
                group = new PairGroup(watchedFolder, key.Item1, name.PairId);
                _groups[key] = group;
            }

            state = new FileState(file.Path, name.Role, file.Length, file.LastWriteUtc, now, group,
                name.Role == PairRole.Image ? PairKey.Of(file.Path, file.LastWriteUtc) : "");
            group.Add(state);
            _files[file.Path] = state;
        }

        // A file renamed into place is finished by the writer's own account: no settling wait.
        bool settled = now - state.StableSince >= options.SettleTime || file.RenamedIntoPlace;
        if (!state.Complete && state.Length > 0 && settled
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

        return state.Group;
    }

    // Every image of a group is a pair of its own; the template is shared by id, so an id written twice in
    // one folder (e.g. as .png and .bmp) gives two verdicts instead of one image silently never judged.
    private List<PairCandidate> Release(HashSet<PairGroup> touched, Func<PairCandidate, bool> alreadyJudged)
    {
        var now = time.GetUtcNow();
        touched.UnionWith(_waiting);
        var ready = new List<PairCandidate>();
        foreach (var group in touched)
        {
            bool waiting = group.Files.Any(f => !f.Complete);
            var template = group.Templates.FirstOrDefault(t => t.Complete) ?? group.Templates.FirstOrDefault();
            bool templateReady = template is { Complete: true };
            var product = ProductOf(group.WatchedFolder, group.Dir);
            foreach (var image in group.Images.Where(i => i.Complete && !i.Released))
            {
                if (!templateReady && !options.ProductsWithoutTemplates.Contains(product) && now - image.CompletedAt < options.TemplateWait)
                {
                    waiting = true;
                    continue;
                }

                image.Released = true;
                var pair = new PairCandidate(image.PairKey, group.Id, product, group.WatchedFolder,
                    image.Path, templateReady ? template!.Path : null, now, _trace.Read(group.Id));
                if (!alreadyJudged(pair))
                {
                    ready.Add(pair);
                }
            }

            if (waiting && group.Files.Count > 0)
            {
                _waiting.Add(group);
            }
            else
            {
                _waiting.Remove(group);
            }
        }

        return ready;
    }

    private void Forget(string path)
    {
        if (!_files.Remove(path, out var state))
        {
            return;
        }

        var group = state.Group;
        group.Remove(state);
        if (group.Files.Count == 0)
        {
            _groups.Remove((group.Dir, group.Id));
            _waiting.Remove(group);
        }
    }

    private bool SafeHasEndMarker(string path)
    {
        try
        {
            return hasEndMarker(path);
        }
        catch (IOException)
        {
            return false; // vanished or unreadable right now; the next look decides.
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The pair of an image whose name is not UTF-8, under the same naming, product and trace rules as every other:
    /// released at once with no template, since no file can be opened (or stat'ed) by that name, and known by its path
    /// alone (two names differing only in their unreadable bytes are one pair). Null when the name is not an image's.
    /// </summary>
    public PairCandidate? UnreadableImage(string watchedFolder, string path)
    {
        if (_naming.Parse(Path.GetFileName(path)) is not { Role: PairRole.Image } name)
        {
            return null;
        }

        var product = ProductOf(watchedFolder, Path.GetDirectoryName(path) ?? watchedFolder);
        return new PairCandidate(PairKey.Of(path, DateTime.UnixEpoch), name.PairId, product, watchedFolder, path, null, time.GetUtcNow(), _trace.Read(name.PairId));
    }

    private string ProductOf(string watchedFolder, string dir) => PairNaming.TopFolder(watchedFolder, dir) ?? options.DefaultProduct;

    /// <summary>The files of one pair id in one folder: its images (one per format) and templates.</summary>
    private sealed class PairGroup(string watchedFolder, string dir, string id)
    {
        private readonly List<FileState> _files = [];

        public string WatchedFolder { get; } = watchedFolder;

        public string Dir { get; } = dir;

        public string Id { get; } = id;

        public IReadOnlyList<FileState> Files => _files;

        public IEnumerable<FileState> Images => _files.Where(f => f.Role == PairRole.Image);

        public IEnumerable<FileState> Templates => _files.Where(f => f.Role == PairRole.Template);

        public void Add(FileState file) => _files.Add(file);

        public void Remove(FileState file) => _files.Remove(file);
    }

    private sealed class FileState(string path, PairRole role, long length, DateTime lastWriteUtc, DateTimeOffset stableSince, PairGroup group, string pairKey)
    {
        public string Path { get; } = path;

        public PairRole Role { get; } = role;

        public long Length { get; } = length;

        public DateTime LastWriteUtc { get; } = lastWriteUtc;

        public DateTimeOffset StableSince { get; } = stableSince;

        public PairGroup Group { get; } = group;

        public string PairKey { get; } = pairKey;

        public bool Complete { get; set; }

        public DateTimeOffset CompletedAt { get; set; }

        public bool Released { get; set; }
    }
}
