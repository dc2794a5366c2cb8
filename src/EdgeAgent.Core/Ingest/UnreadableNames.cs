namespace EdgeAgent.Ingest;

/// <summary>
/// File names that are not valid UTF-8. On Linux a name is bytes; .NET decodes the bytes it cannot read as U+FFFD, and
/// encodes that back as EF BF BD, so the string names no file and the file cannot be opened, renamed or even stat'ed by it.
/// </summary>
public static class UnreadableNames
{
    /// <summary>True when <paramref name="path"/>'s last part was decoded with U+FFFD and, as a string, names nothing.</summary>
    public static bool Is(string path) =>
        Path.GetFileName(path).Contains('\uFFFD', StringComparison.Ordinal) && !Path.Exists(path) && new FileInfo(path).LinkTarget is null;
}
