namespace EdgeAgent.Hosting;

/// <summary>Writes that a crash or power cut leaves either fully old or fully new, created 0640 (<see cref="PrivateFiles"/>).</summary>
public static class AtomicFile
{
    /// <summary>Writes a sibling temp file, flushes it to disk, renames it over <paramref name="path"/> and syncs the folder.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, PrivateFiles.Create(FileMode.Create, FileAccess.Write)))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        // The rename is what a reader sees, and only a folder fsync makes it survive a power cut (without it the
        // power-cut harness brought the old file back after an activation had returned).
        DirectorySync.SyncParentOf(path);
    }

    /// <summary>Writes a new file and flushes it to disk before returning (used inside a folder that is renamed into place).</summary>
    public static void WriteDurable(string path, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(path, PrivateFiles.Create(FileMode.CreateNew, FileAccess.Write));
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
