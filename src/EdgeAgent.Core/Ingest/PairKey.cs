namespace EdgeAgent.Ingest;

/// <summary>Whether the image a pair key names is still where a rescan would find it.</summary>
public enum PairImagePresence
{
    /// <summary>The file is there with the same modification time: a rescan would see this very pair.</summary>
    Present,

    /// <summary>Its folder is readable and the file is gone or was rewritten: a rescan can never see this pair again.</summary>
    Gone,

    /// <summary>The folder is missing or unreadable (an unmounted share may come back), or the key is not a file key.</summary>
    Unknown,
}

/// <summary>
/// A pair's identity: the image's full path plus its modification time, so a file the AOI rewrites is a
/// new pair while a restart's rescan recognises the old one.
/// </summary>
public static class PairKey
{
    /// <summary>The key of the image at <paramref name="imagePath"/> last written at <paramref name="lastWriteUtc"/>.</summary>
    public static string Of(string imagePath, DateTime lastWriteUtc) => $"{imagePath}@{lastWriteUtc.Ticks}";

    /// <summary>Looks at the disk: is the image this key names still there, unchanged?</summary>
    public static PairImagePresence Probe(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int at = key.LastIndexOf('@');
        if (at <= 0 || !long.TryParse(key.AsSpan(at + 1), out long ticks))
        {
            return PairImagePresence.Unknown;
        }

        try
        {
            var image = new FileInfo(key[..at]);
            if (image.Exists)
            {
                return image.LastWriteTimeUtc.Ticks == ticks ? PairImagePresence.Present : PairImagePresence.Gone;
            }

            return image.Directory is { Exists: true } folder && CanList(folder) ? PairImagePresence.Gone : PairImagePresence.Unknown;
        }
        // ArgumentException: a key read back from the journal can hold what no path can (a NUL; found by fuzzing).
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return PairImagePresence.Unknown;
        }
    }

    private static bool CanList(DirectoryInfo folder)
    {
        using var entries = folder.EnumerateFileSystemInfos().GetEnumerator();
        entries.MoveNext();
        return true;
    }
}
