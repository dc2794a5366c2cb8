using System.IO.Enumeration;
using EdgeAgent.Ingest;

namespace EdgeAgent.Pipeline.Ingest;

/// <summary>
/// One full rescan of one watched folder, under the link rules of <see cref="IngestOptions.FollowSymlinks"/> and within
/// <see cref="IngestOptions.MaxScanDepth"/> and <see cref="IngestOptions.MaxScanEntries"/>. .NET's recursive enumeration
/// enters directory links on Linux without any loop check: a link to a parent made one rescan grow to 9 GB and never
/// end. Here only links reached without passing through another followed link are entered, so the walk is a tree plus
/// at most one level of linked trees, and the budgets bound what is left (bind mounts, huge folders).
/// </summary>
internal sealed class FolderScan
{
    private readonly IngestOptions _options;
    private readonly string _folder;
    private readonly string _realFolder;
    private readonly List<string> _followed = [];
    private readonly HashSet<string> _targets = new(StringComparer.Ordinal);
    private long _entries;

    private FolderScan(IngestOptions options, string folder)
    {
        _options = options;
        _folder = folder;
        _realFolder = RealPath(folder);
    }

    /// <summary>Files to pair (link rules applied), in enumeration order.</summary>
    public List<FileObservation> Files { get; } = [];

    /// <summary>Files and folders whose names are not UTF-8 (see <see cref="UnreadableNames"/>); not in <see cref="Files"/>.</summary>
    public List<string> UnreadableNames { get; } = [];

    /// <summary>Links not followed: directory links when following is off, file links leading out of the folder.</summary>
    public List<string> LinksNotFollowed { get; } = [];

    /// <summary>Why the rescan stopped short (a budget ran out), or null when it saw everything.</summary>
    public string? Incomplete { get; private set; }

    /// <summary>Scans <paramref name="folder"/> (full path, no trailing separator).</summary>
    /// <exception cref="IOException">The folder itself is missing or cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder itself may not be read.</exception>
    public static FolderScan Run(IngestOptions options, string folder)
    {
        var scan = new FolderScan(options, folder);
        var entries = new FileSystemEnumerable<FileObservation>(
            folder,
            (ref FileSystemEntry e) => new FileObservation(e.ToFullPath(), e.Length, e.LastWriteTimeUtc.UtcDateTime),
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = scan.ShouldInclude,
            ShouldRecursePredicate = scan.ShouldRecurse,
        };
        scan.Files.AddRange(entries);
        return scan;
    }

    /// <summary>
    /// True when <paramref name="path"/> is a link. A watcher's hint for one is not taken: the full rescan applies the link
    /// rules. (Files under a folder link need no check: .NET's inotify watcher does not report them, measured on .NET 10.)
    /// </summary>
    /// <exception cref="IOException">The path cannot be looked at now.</exception>
    public static bool IsLink(string path) => IsLink(new FileInfo(path));

    /// <summary>As <see cref="IsLink(string)"/>, for a <see cref="FileInfo"/> the caller reads further.</summary>
    /// <exception cref="IOException">The path cannot be looked at now.</exception>
    public static bool IsLink(FileInfo info) => info.LinkTarget is not null;

    private bool ShouldInclude(ref FileSystemEntry entry)
    {
        if (++_entries > _options.MaxScanEntries)
        {
            Incomplete ??= $"more than {_options.MaxScanEntries} entries (Ingest:MaxScanEntries)";
            return false;
        }

        if (entry.IsDirectory)
        {
            return false;
        }

        // The full path is built only for the rare names that need it: an ordinary file's is built once, by the transform.
        if (entry.FileName.Contains('\uFFFD'))
        {
            var path = entry.ToFullPath();
            if (EdgeAgent.Ingest.UnreadableNames.Is(path))
            {
                UnreadableNames.Add(path);
                return false;
            }
        }

        if (IsLink(ref entry) && !_options.FollowSymlinks)
        {
            var path = entry.ToFullPath();
            if (!Inside(Target(path)))
            {
                LinksNotFollowed.Add(path);
                return false;
            }
        }

        return true;
    }

    private bool ShouldRecurse(ref FileSystemEntry entry)
    {
        if (_entries > _options.MaxScanEntries
            || (entry.Directory.Length == _folder.Length && PairNaming.OwnFolders.Contains(entry.FileName.ToString())))
        {
            return false;
        }

        var path = entry.ToFullPath();
        if (EdgeAgent.Ingest.UnreadableNames.Is(path))
        {
            UnreadableNames.Add(path);
            return false;
        }

        if (path.AsSpan(_folder.Length).Count(Path.DirectorySeparatorChar) > _options.MaxScanDepth)
        {
            Incomplete ??= $"folders deeper than {_options.MaxScanDepth} levels, e.g. {path} (Ingest:MaxScanDepth)";
            return false;
        }

        if (!IsLink(ref entry))
        {
            return true;
        }

        if (!_options.FollowSymlinks)
        {
            LinksNotFollowed.Add(path);
            return false;
        }

        // Once: not a link inside a followed link (that is how loops are made), not back into the watched folder (scanned
        // anyway), not a second link to the same place. Those are skipped without a word: following is what was asked.
        var target = Target(path);
        if (_followed.Exists(f => path.StartsWith(f, StringComparison.Ordinal)) || target is null || Inside(target) || !_targets.Add(target))
        {
            return false;
        }

        _followed.Add(path + Path.DirectorySeparatorChar);
        return true;
    }

    // On Unix .NET marks a symbolic link (to a file or a folder) as a reparse point.
    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    private bool Inside(string? path) =>
        path is not null && (IsUnder(path, _folder) || IsUnder(path, _realFolder));

    private static bool IsUnder(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    // Where a link finally leads (through chains of links); null for a loop of links or one that cannot be read.
    private static string? Target(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The watched folder may itself be a link (e.g. /var/lib/edgeagent/aoi to a data disk): a link back to its target is inside too.
    private static string RealPath(string folder)
    {
        try
        {
            return Directory.ResolveLinkTarget(folder, returnFinalTarget: true)?.FullName ?? folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return folder;
        }
    }
}
