using System.Diagnostics;
using System.Text.Json;

namespace EdgeAgent.Testing.PowerCut;

/// <summary>
/// A folder that loses what a power cut loses: <c>lazyfs.py</c> (FUSE, fusepy) mounted over a backing folder keeps
/// every write since its file's last fsync/fdatasync in memory only, and <see cref="Cut"/> unmounts it (dropping all
/// of that) and mounts it again. With <c>dropDirectoryOperations</c> the cut also undoes creates, renames, unlinks and
/// mkdirs whose directory was not fsync'ed since (the strict POSIX reading). The fsyncs the layer saw are counted per
/// file (<see cref="Counters"/>), so a test can say what a piece of code forces to disk. Needs /dev/fuse, fuse3 and
/// python3-fusepy (scripts/install-deps.sh); unprivileged, the mount goes through the setuid fusermount3.
/// Files open on the mount when it is cut stay dead (ENOTCONN), like a process on a box that lost power.
/// </summary>
public sealed class PowerCutFileSystem : IDisposable
{
    private static readonly TimeSpan MountTimeout = TimeSpan.FromSeconds(20);
    private readonly string _root;
    private readonly bool _dropDirectoryOperations;
    private Process? _process;
    private Task<string> _stderr = Task.FromResult("");

    private PowerCutFileSystem(string root, bool dropDirectoryOperations)
    {
        _root = root;
        _dropDirectoryOperations = dropDirectoryOperations;
        Directory.CreateDirectory(BackingDirectory);
        Directory.CreateDirectory(MountPoint);
    }

    /// <summary>Where the programs under test read and write.</summary>
    public string MountPoint => Path.Combine(_root, "mnt");

    /// <summary>The "disk": what survived the last cut (plus what was synced since).</summary>
    public string BackingDirectory => Path.Combine(_root, "disk");

    /// <summary>Cuts so far.</summary>
    public int Cuts { get; private set; }

    /// <summary>What the layer saw, summed over every mount that has ended (each cut ends one).</summary>
    public FsyncCounters Counters { get; private set; } = FsyncCounters.Empty;

    private string StatsPath => Path.Combine(_root, "stats.json");

    /// <summary>Mounts the layer at <c>root/mnt</c> over <c>root/disk</c>.</summary>
    public static PowerCutFileSystem Mount(string root, bool dropDirectoryOperations = false)
    {
        if (!File.Exists("/dev/fuse"))
        {
            throw new InvalidOperationException("/dev/fuse is missing: the power-cut harness needs FUSE (scripts/install-deps.sh installs fuse3 and python3-fusepy)");
        }

        var fs = new PowerCutFileSystem(root, dropDirectoryOperations);
        fs.Start();
        return fs;
    }

    /// <summary>The power cut: every unsynced write (and, in directory mode, unsynced name change) is gone; then power comes back.</summary>
    public void Cut()
    {
        Unmount();
        Cuts++;
        Start();
    }

    /// <summary>Unmounts (losing what was not synced, as a cut does) and returns the counters so far.</summary>
    public FsyncCounters Stop()
    {
        Unmount();
        return Counters;
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            Unmount();
        }
    }

    private void Start()
    {
        var start = new ProcessStartInfo(RepoPaths.DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "PowerCut", "lazyfs.py"), BackingDirectory, MountPoint, Path.Combine(_root, "trash"), StatsPath })
        {
            start.ArgumentList.Add(arg);
        }

        if (_dropDirectoryOperations)
        {
            start.ArgumentList.Add("--drop-directory-ops");
        }

        var process = Process.Start(start)!;
        _stderr = process.StandardError.ReadToEndAsync(); // drained all along: a full pipe would block the layer
        var mounted = process.StandardOutput.ReadLineAsync();
        if (!mounted.Wait(MountTimeout) || mounted.Result != "mounted")
        {
            process.Kill();
            throw new InvalidOperationException($"lazyfs did not mount {MountPoint}: {_stderr.Result}");
        }

        _process = process;
    }

    private void Unmount()
    {
        var process = _process ?? throw new InvalidOperationException("not mounted");
        // SIGTERM makes libfuse leave its loop and detach the mount even while files are open on it (the agent just
        // SIGKILLed, or a test's own LiteDatabase): from then on they fail with ENOTCONN, as a powered-off disk would.
        Signals.Terminate(process.Id);
        if (!process.WaitForExit(MountTimeout))
        {
            throw new TimeoutException("lazyfs did not exit after its unmount");
        }

        if (File.ReadAllText("/proc/self/mounts").Contains(" " + MountPoint + " ", StringComparison.Ordinal))
        {
            AgentProcess.RunProgram("fusermount3", ["-u", "-z", MountPoint]);
        }

        var stderrTail = _stderr.Result;
        _process = null;
        process.Dispose();
        if (!File.Exists(StatsPath))
        {
            throw new InvalidOperationException($"lazyfs wrote no counters: {stderrTail}");
        }

        Counters = Counters.Add(FsyncCounters.Read(StatsPath));
        File.Delete(StatsPath);
    }
}

/// <summary>What the power-cut layer saw, per path relative to its mount point (e.g. <c>/edgeagent.db</c>).</summary>
public sealed record FsyncCounters(
    IReadOnlyDictionary<string, int> Fsync,
    IReadOnlyDictionary<string, int> Fdatasync,
    IReadOnlyDictionary<string, int> FsyncDir,
    IReadOnlyDictionary<string, int> Writes,
    long BytesWritten,
    int Undone)
{
    public static FsyncCounters Empty { get; } = new(new Dictionary<string, int>(), new Dictionary<string, int>(), new Dictionary<string, int>(), new Dictionary<string, int>(), 0, 0);

    /// <summary>fsync plus fdatasync calls on <paramref name="path"/>.</summary>
    public int SyncsOf(string path) => Fsync.GetValueOrDefault(path) + Fdatasync.GetValueOrDefault(path);

    public FsyncCounters Add(FsyncCounters other) => new(Sum(Fsync, other.Fsync), Sum(Fdatasync, other.Fdatasync), Sum(FsyncDir, other.FsyncDir),
        Sum(Writes, other.Writes), BytesWritten + other.BytesWritten, Undone + other.Undone);

    /// <summary>The counters since <paramref name="earlier"/>.</summary>
    public FsyncCounters Since(FsyncCounters earlier) => new(Diff(Fsync, earlier.Fsync), Diff(Fdatasync, earlier.Fdatasync), Diff(FsyncDir, earlier.FsyncDir),
        Diff(Writes, earlier.Writes), BytesWritten - earlier.BytesWritten, Undone - earlier.Undone);

    internal static FsyncCounters Read(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = json.RootElement;
        return new(Map(root, "fsync"), Map(root, "fdatasync"), Map(root, "fsyncdir"), Map(root, "writes"), root.GetProperty("bytesWritten").GetInt64(), root.GetProperty("undone").GetInt32());
    }

    private static Dictionary<string, int> Map(JsonElement root, string name) =>
        root.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);

    private static Dictionary<string, int> Sum(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b) =>
        a.Keys.Union(b.Keys).ToDictionary(k => k, k => a.GetValueOrDefault(k) + b.GetValueOrDefault(k), StringComparer.Ordinal);

    private static Dictionary<string, int> Diff(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b) =>
        a.Keys.ToDictionary(k => k, k => a[k] - b.GetValueOrDefault(k), StringComparer.Ordinal);
}
