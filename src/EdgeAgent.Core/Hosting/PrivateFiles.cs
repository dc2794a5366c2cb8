namespace EdgeAgent.Hosting;

/// <summary>
/// The modes of what the agent writes (data directory, database, archive, model store), set explicitly instead of
/// left to the umask: under umask 0000 the database and model store came out 0666, readable and writable by every
/// user of the box. Folders 0750 and files 0640: the service user writes, its group (supervisors running
/// <c>edgeagent logs</c>) reads, others nothing.
/// </summary>
public static class PrivateFiles
{
    /// <summary>rwxr-x---.</summary>
    public const UnixFileMode ForFolders = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>rw-r-----.</summary>
    public const UnixFileMode ForFiles = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>Creates <paramref name="path"/> (and missing parents) as 0750, and sets an existing one to 0750.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, ForFolders);
        Restrict(path);
    }

    /// <summary>
    /// Sets a file to 0640 or a folder to 0750, if it exists and is not a link (chmod would follow it). A file another
    /// user owns (a folder the administrator made and lent the agent) keeps its mode: only its owner may change it.
    /// </summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        FileSystemInfo entry = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!entry.Exists || entry.LinkTarget is not null)
        {
            return;
        }

        try
        {
            entry.UnixFileMode = entry is DirectoryInfo ? ForFolders : ForFiles;
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to change; what we create inside it still gets our modes.
        }
    }

    /// <summary><see cref="Restrict"/> on a folder and everything in it (a model version assembled in staging).</summary>
    public static void RestrictTree(string folder)
    {
        Restrict(folder);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            Restrict(entry.FullName);
        }
    }

    /// <summary>Options for a new file the agent writes: created 0640 (never wider, whatever the umask).</summary>
    public static FileStreamOptions Create(FileMode mode, FileAccess access, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ForFiles;
        }

        return options;
    }
}
