using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAgent.Hosting;

/// <summary>
/// fsync of a folder, which is what makes a file's creation, rename or removal in it durable (POSIX: fsync of the
/// file makes its data durable, not its name). The BCL cannot open a folder as a handle, so this goes to libc.
/// Proven on the power-cut layer (tests/EdgeAgent.Testing/PowerCut): without it a cut undoes the name change.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY (Linux)
    private const int Interrupted = 4; // EINTR
    private const int PermissionDenied = 13; // EACCES: a parent the service user may write into but not list
    private const int NotSupported = 22; // EINVAL: a file system that cannot sync a folder (some network and FUSE ones)
    private const int NotSupportedToo = 95; // EOPNOTSUPP

    /// <summary>
    /// Forces the entries of <paramref name="folder"/> to disk; a no-op off Unix, on a folder this user cannot read, and
    /// on a file system that cannot sync folders.
    /// </summary>
    public static void Sync(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals name changes with the file's own flush
        }

        var path = Encoding.UTF8.GetBytes(Path.GetFullPath(folder) + "\0");
        int fd;
        do
        {
            fd = Open(path, ReadOnlyDirectory);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        // Nothing more can be done on such a folder, and refusing to start over it would be worse than a name a power
        // cut may take: what the agent writes into it is synced as before.
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == PermissionDenied)
            {
                return;
            }

            throw new IOException($"Cannot open folder {folder} to sync it", new Win32Exception(error));
        }

        try
        {
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var error && error is not (NotSupported or NotSupportedToo))
            {
                throw new IOException($"fsync of folder {folder} failed", new Win32Exception(error));
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Creates <paramref name="folder"/> (0750, with missing parents: <see cref="PrivateFiles.CreateFolder"/>) and syncs the
    /// folder above each one it created, so the new folders survive a power cut too.
    /// </summary>
    public static void CreateFolder(string folder)
    {
        var missing = new List<string>();
        for (var f = Path.GetFullPath(folder); !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f))
        {
            missing.Add(f);
        }

        PrivateFiles.CreateFolder(folder);
        foreach (var created in missing)
        {
            SyncParentOf(created);
        }
    }

    /// <summary>Syncs every folder of the tree under <paramref name="root"/> (deepest first) and <paramref name="root"/> itself.</summary>
    public static void SyncTree(string root)
    {
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(f => f.Length))
        {
            Sync(folder);
        }

        Sync(root);
    }

    /// <summary>Syncs the folder that holds <paramref name="path"/>.</summary>
    public static void SyncParentOf(string path) => Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
